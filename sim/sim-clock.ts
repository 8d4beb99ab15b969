import { type Clock, ManualClock } from '../shared/core/domain/clock';

/**
 * The simulator's notion of time (the product's Clock). Copy progress is derived from it on every
 * request, so a test that moves a manual clock moves every copy forward without timers, and the
 * demo can run a two-hour copy in seconds.
 */
export type SimClock = Clock;

/** Moved by hand; for tests. */
export class ManualSimClock extends ManualClock {
  constructor(start: Date | string = '2026-11-01T00:00:00Z') {
    super(start);
  }
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}

/** Virtual time that runs `speed` times faster than the wall clock, from `start`. */
export class ScaledSimClock implements SimClock {
  readonly #wallStart: number;
  readonly #virtualStart: number;
  constructor(
    readonly speed: number,
    start: Date = new Date(),
    private readonly wallNow: () => number = Date.now,
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be positive, got ${speed}`);
    this.#wallStart = wallNow();
    this.#virtualStart = start.getTime();
  }
  now(): Date {
    return new Date(this.#virtualStart + (this.wallNow() - this.#wallStart) * this.speed);
  }
}
