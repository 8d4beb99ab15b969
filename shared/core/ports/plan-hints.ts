/**
 * Where a dispatch pass leaves the order its joint schedule was decoded from (joint-schedule), for
 * the next pass over the same copies to start its search from: a search that goes on where the
 * last one stopped finds far better schedules than one that starts again at every pass. By a key
 * naming what the pass covered (accounts and source regions). A hint only: a lost or stale one
 * costs search, never a copy; ids the next pass does not know are ignored.
 */
export interface PlanHints {
  read(key: string): readonly string[] | undefined;
  write(key: string, order: readonly string[]): void;
}
