import { mulberry32 } from '../shared/core/domain/random';

/**
 * A seeded generator (mulberry32): the same seed gives the same ids and the same injected faults,
 * so a failing chaos run can be replayed.
 */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** The generator's position: `new Prng(state)` continues exactly where this one is. */
  get state(): number {
    return this.#state;
  }
  /** Uniform in [0, 1). */
  next(): number {
    const { state, value } = mulberry32(this.#state);
    this.#state = state;
    return value;
  }
  /** True with probability p. A probability of 0 never consumes randomness, so adding a fault kind does not shift others. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  chars(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}
