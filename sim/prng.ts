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
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
