import type { CapacitySlot } from '../ports/copy-provider';

/** A slot the provider said is busy is full up to this many copies (limits are a handful). */
const MAX_BLOCKED_TAKERS = 1_000;

/**
 * Counts the provider's copy slots in use, once per pass: every running copy takes each of its
 * slots (Alibaba: its source region and its source image; Huawei: the tenant). A copy may start
 * when none of its slots is full. `limitCap` lowers every limit (a policy may ask for fewer
 * concurrent copies than the provider allows, never more).
 */
export class CapacityLedger {
  readonly #used = new Map<string, number>();
  /** When each slot's takers are expected to end (ms; NaN when unknown), for `freeAt`. */
  readonly #ends = new Map<string, number[]>();
  /** Slots the provider said are busy, with their limits. */
  readonly #blocked = new Map<string, number>();
  readonly #limitCap: number;

  constructor(limitCap = Number.POSITIVE_INFINITY) {
    this.#limitCap = limitCap;
  }

  /** The slot's limit as this pass counts it: the provider's, lowered by the policy's cap. */
  limitOf(slot: CapacitySlot): number {
    return Math.min(slot.limit, Math.max(1, this.#limitCap));
  }

  /** `endsAt`: when the copy taking the slots is expected to end, if anybody can say. */
  take(slots: readonly CapacitySlot[], endsAt?: Date): void {
    for (const slot of slots) {
      this.#used.set(slot.key, (this.#used.get(slot.key) ?? 0) + 1);
      const ends = this.#ends.get(slot.key);
      const end = endsAt?.getTime() ?? Number.NaN;
      if (ends === undefined) this.#ends.set(slot.key, [end]);
      else ends.push(end);
    }
  }

  /** `endsAt`: the end the released copy was taken with, so that one leaves the predictions. */
  release(slots: readonly CapacitySlot[], endsAt?: Date): void {
    const end = endsAt?.getTime() ?? Number.NaN;
    for (const slot of slots) {
      this.#used.set(slot.key, Math.max(0, (this.#used.get(slot.key) ?? 0) - 1));
      const ends = this.#ends.get(slot.key) ?? [];
      const index = ends.findIndex((e) => e === end || (Number.isNaN(e) && Number.isNaN(end)));
      ends.splice(index === -1 ? ends.length - 1 : index, 1);
    }
  }

  /**
   * When all of these slots are expected to have room: now for a slot with room; for a full one,
   * when enough of its takers end; `unknown` after now where a taker's end is unknown or the
   * provider said the slot is busy with a copy that is not ours.
   */
  freeAt(slots: readonly CapacitySlot[], now: Date, unknownSeconds: number): Date {
    const unknown = now.getTime() + unknownSeconds * 1000;
    let latest = now.getTime();
    for (const slot of slots) {
      if (this.#blocked.has(slot.key)) {
        latest = Math.max(latest, unknown);
        continue;
      }
      const over = (this.#used.get(slot.key) ?? 0) - this.limitOf(slot);
      if (over < 0) continue;
      const ends = (this.#ends.get(slot.key) ?? []).map((end) => (Number.isNaN(end) ? unknown : Math.max(end, now.getTime()))).sort((a, b) => a - b);
      latest = Math.max(latest, ends[over] ?? unknown);
    }
    return new Date(latest);
  }

  /** The provider said a slot is busy (somebody else's copy of the image runs): full for this pass. */
  block(slots: readonly CapacitySlot[]): void {
    for (const slot of slots) this.#blocked.set(slot.key, this.limitOf(slot));
  }

  /**
   * Until when each slot's takers hold it (ms), one entry per taker, by slot key: a taker whose
   * end is unknown, and a slot the provider said is busy (full), until `unknownSeconds` after now.
   */
  takenUntil(now: Date, unknownSeconds: number): Map<string, number[]> {
    const unknown = now.getTime() + unknownSeconds * 1000;
    const taken = new Map<string, number[]>();
    for (const [key, ends] of this.#ends) taken.set(key, ends.map((end) => (Number.isNaN(end) ? unknown : Math.max(end, now.getTime()))));
    // Full: as many takers as its limit, and never an array sized by a limit nobody bounded.
    for (const [key, limit] of this.#blocked) taken.set(key, [...(taken.get(key) ?? []), ...Array.from({ length: Math.min(limit, MAX_BLOCKED_TAKERS) }, () => unknown)]);
    return taken;
  }

  fits(slots: readonly CapacitySlot[]): boolean {
    return slots.every((slot) => !this.#blocked.has(slot.key) && (this.#used.get(slot.key) ?? 0) < this.limitOf(slot));
  }
}
