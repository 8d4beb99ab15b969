/** What a mutant's child run reports back, one JSON line on stdout after this prefix. */
export const CHILD_RESULT_PREFIX = 'CHAOS-MUTANT-RESULT ';

export interface SentinelVerdict {
  readonly sentinel: string;
  /** Violations the suite would fail on (no known product issue explains them). */
  readonly open: readonly string[];
  /** Armed points not reached: a harness problem, never a catch. */
  readonly unreached: number;
  readonly wallMs: number;
}
