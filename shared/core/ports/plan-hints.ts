/**
 * Where a dispatch pass leaves the order its joint schedule was decoded from (joint-schedule), for
 * the next pass's search to start from: a search that goes on where the last one stopped finds far
 * better schedules than one that starts again at every pass. A hint only: a lost or stale one costs
 * search, never a copy; ids the next pass does not know are ignored.
 */
export interface PlanHints {
  read(): readonly string[] | undefined;
  write(order: readonly string[]): void;
}
