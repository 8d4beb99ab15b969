/** What reached the simulator: per-action counts and the last requests, for tests and the demo. */
export interface LoggedRequest {
  readonly action: string;
  readonly status: number;
  readonly code?: string | undefined;
  /** `x-acs-retry-attempts` as the SDK sent it: 0 on a first attempt. */
  readonly retryAttempt: number;
  /** `x-acs-retry-delay`: how long the SDK says it waited before this attempt, ms. */
  readonly retryDelayMs: number;
  readonly params: Readonly<Record<string, string>>;
}

const KEEP_LAST = 1000;

export class RequestLog {
  readonly #counts = new Map<string, number>();
  readonly #recent: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.#counts.set(entry.action, (this.#counts.get(entry.action) ?? 0) + 1);
    this.#recent.push(entry);
    if (this.#recent.length > KEEP_LAST) this.#recent.shift();
  }

  counts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#counts);
  }

  count(action: string): number {
    return this.#counts.get(action) ?? 0;
  }

  recent(action?: string): readonly LoggedRequest[] {
    return action === undefined ? [...this.#recent] : this.#recent.filter((r) => r.action === action);
  }

  reset(): void {
    this.#counts.clear();
    this.#recent.length = 0;
  }
}
