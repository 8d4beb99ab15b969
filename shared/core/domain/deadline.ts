import type { Clock } from './clock';

/**
 * The time an invocation has left. Function Compute kills an invocation at its timeout, wherever
 * it is; work started near the end is work left half-done. Use cases ask `allows(ms)` before each
 * unit of work (a claim, a region's poll, a source region's sweep) and leave the rest to the next
 * invocation, which the queue or the timer brings.
 */
export interface Deadline {
  /** Is there time left for work that takes about this long? */
  allows(expectedMs: number): boolean;
  remainingMs(): number;
}

/** No deadline: tests and the local runtime, where nothing kills an invocation. */
export const NO_DEADLINE: Deadline = { allows: () => true, remainingMs: () => Number.POSITIVE_INFINITY };

/** The time left before `at`, less a reserve for recording what was done. */
export const deadlineAt = (at: Date, clock: Clock, reserveMs: number): Deadline => ({
  remainingMs: () => at.getTime() - clock.now().getTime() - reserveMs,
  allows(expectedMs: number) {
    return this.remainingMs() >= expectedMs;
  },
});
