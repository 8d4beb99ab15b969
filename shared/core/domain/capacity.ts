import type { CapacitySlot } from '../ports/copy-provider';

/**
 * Counts the provider's copy slots in use, once per pass: every running copy takes each of its
 * slots (Alibaba: its source region and its source image; Huawei: the tenant). A copy may start
 * when none of its slots is full. `limitCap` lowers every limit (a policy may ask for fewer
 * concurrent copies than the provider allows, never more).
 */
export class CapacityLedger {
  readonly #used = new Map<string, number>();
  readonly #blocked = new Set<string>();
  readonly #limitCap: number;

  constructor(limitCap = Number.POSITIVE_INFINITY) {
    this.#limitCap = limitCap;
  }

  #limit(slot: CapacitySlot): number {
    return Math.min(slot.limit, Math.max(1, this.#limitCap));
  }

  take(slots: readonly CapacitySlot[]): void {
    for (const slot of slots) this.#used.set(slot.key, (this.#used.get(slot.key) ?? 0) + 1);
  }

  release(slots: readonly CapacitySlot[]): void {
    for (const slot of slots) this.#used.set(slot.key, Math.max(0, (this.#used.get(slot.key) ?? 0) - 1));
  }

  /** The provider said a slot is busy (somebody else's copy of the image runs): full for this pass. */
  block(slots: readonly CapacitySlot[]): void {
    for (const slot of slots) this.#blocked.add(slot.key);
  }

  fits(slots: readonly CapacitySlot[]): boolean {
    return slots.every((slot) => !this.#blocked.has(slot.key) && (this.#used.get(slot.key) ?? 0) < this.#limit(slot));
  }
}
