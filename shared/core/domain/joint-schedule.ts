import type { CapacitySlot } from '../ports/copy-provider';
import { mulberry32 } from './random';

/**
 * One schedule for every waiting copy of every image at once: which holder each copy comes from
 * and when it starts, under the provider's slots as they are taken now and as the planned copies
 * take them. Planning each image alone (fan-out-plan) cannot see that two images want the same
 * region's slots; this does, so a pass can leave a slot to the copy that needs it most.
 *
 * A schedule is decoded from an order of the copies: each in turn is placed where it ends first,
 * over every holder it may come from (a holder given, or a replica an earlier copy in the order
 * makes), at the earliest time all of that holder's slots have room for the whole copy. The search
 * moves copies within the order by late acceptance (see below), comparing orders by when they end,
 * then by their copies' ends in sum, for a bounded number of decodings. Seeded with the order of an earlier pass
 * (`hint`), the search goes on where that one stopped; the hint is only a start, any order gives
 * a valid schedule.
 *
 * Pure and deterministic for given inputs and `seed`.
 */
export interface ScheduleHolder {
  readonly id: string;
  readonly image: string;
  readonly region: string;
  /** When it holds the image (ms): now for the source and finished replicas. */
  readonly readyAtMs: number;
  /** The slots a copy out of it takes. */
  readonly slots: readonly CapacitySlot[];
}

export interface ScheduleCopy {
  readonly id: string;
  readonly image: string;
  readonly region: string;
  /** Not started before this (a back-off), ms. */
  readonly notBeforeMs: number;
  /** The holders given it may come from (ids). */
  readonly holders: readonly string[];
  /** Whether it may come from a replica this schedule makes. */
  readonly fromReplicas: boolean;
  /** Whether its replica may be copied from once made. */
  readonly relays: boolean;
  /** The slots a copy out of its replica takes. */
  readonly replicaSlots: readonly CapacitySlot[];
}

export interface ScheduleProblem {
  readonly nowMs: number;
  /** When each copy running now holds its slots until (ms), by slot key; one entry per copy. */
  readonly takenUntil: ReadonlyMap<string, readonly number[]>;
  readonly holders: readonly ScheduleHolder[];
  /** The copies to schedule, most urgent first: the order a search without a hint starts from. */
  readonly copies: readonly ScheduleCopy[];
  /** How long a copy of `image` from one region to another takes, ms. */
  readonly copyMs: (image: string, from: string, to: string) => number;
  /** An earlier schedule's order (copy ids); copies it does not name go first, in `copies` order. */
  readonly hint?: readonly string[] | undefined;
  /** Orders decoded at most, the starting ones included. */
  readonly budget: number;
  readonly seed: number;
}

export interface ScheduledCopy {
  /** A holder's id, or the id of the copy whose replica it comes from. */
  readonly fromId: string;
  readonly fromRegion: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface JointSchedule {
  readonly copies: ReadonlyMap<string, ScheduledCopy>;
  /** When the last copy is expected to end. */
  readonly endMs: number;
  /** The order it was decoded from: the next pass's hint. */
  readonly order: readonly string[];
  readonly decoded: number;
}

interface Place {
  readonly from: string;
  readonly region: string;
  readonly slots: readonly CapacitySlot[];
  readonly readyAtMs: number;
}

/**
 * How many copies hold one slot over time: a step function, `counts[k]` from `times[k]` until
 * `times[k + 1]` (the last step lasts for ever). Both kept sorted, so a query is one pass.
 */
class Usage {
  readonly times: number[] = [Number.NEGATIVE_INFINITY];
  readonly counts: number[] = [0];

  /** The index of the step that holds `at`. */
  #stepAt(at: number): number {
    let low = 0;
    let high = this.times.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.times[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Splits the step at `at` so that a step starts there; its index. */
  #split(at: number): number {
    const k = this.#stepAt(at);
    if (this.times[k] === at) return k;
    this.times.splice(k + 1, 0, at);
    this.counts.splice(k + 1, 0, this.counts[k]!);
    return k + 1;
  }

  add(start: number, end: number): void {
    if (!(end > start)) return;
    const first = this.#split(start);
    const last = this.#split(end);
    for (let k = first; k < last; k += 1) this.counts[k]! += 1;
  }

  /** The earliest start at or after `from` such that [start, start + duration) never meets `limit` holders. */
  earliest(from: number, duration: number, limit: number): number {
    let start = from;
    for (let k = this.#stepAt(from); k < this.times.length; k += 1) {
      const stepEnd = this.times[k + 1] ?? Number.POSITIVE_INFINITY;
      if (stepEnd <= start) continue;
      if (this.times[k]! >= start + duration) return start;
      if (this.counts[k]! >= limit) start = stepEnd;
    }
    return start;
  }
}

/** The earliest start at or after `from` at which every slot has room for `duration`. */
const earliestStart = (usages: ReadonlyArray<readonly [Usage, number]>, from: number, duration: number): number => {
  let start = from;
  // Each slot's earliest moves the start forward, never back: a round that moves none is the answer.
  for (let moved = true; moved && Number.isFinite(start); ) {
    moved = false;
    for (const [usage, limit] of usages) {
      const next = usage.earliest(start, duration, limit);
      if (next !== start) {
        start = next;
        moved = true;
      }
    }
  }
  return start;
};

/** Seeded numbers in [0, 1) to pick moves with. */
const generator = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    const step = mulberry32(state);
    state = step.state;
    return step.value;
  };
};

interface Decoded {
  readonly copies: Map<string, ScheduledCopy>;
  readonly endMs: number;
  readonly sumMs: number;
}

/** How many changes back a change is compared with (late acceptance hill climbing). */
const LATE_ACCEPTANCE = 20;

const better = (a: Decoded, b: Decoded): boolean => a.endMs < b.endMs || (a.endMs === b.endMs && a.sumMs < b.sumMs);

export const scheduleJointly = (problem: ScheduleProblem): JointSchedule => {
  const { nowMs, copies, holders } = problem;
  for (const time of [nowMs, ...holders.map((h) => h.readyAtMs), ...copies.map((c) => c.notBeforeMs)]) {
    if (!Number.isFinite(time)) throw new RangeError(`a schedule needs finite times, got ${time}`);
  }
  const byId = new Map(copies.map((copy) => [copy.id, copy]));
  const holderById = new Map(holders.map((holder) => [holder.id, holder]));
  // Every link's copy time, asked once per image: decoding reads them for every copy tried.
  const times = new Map<string, number>();
  const copyMs = (image: string, from: string, to: string): number => {
    const key = `${image}\u0000${from}\u0000${to}`;
    let time = times.get(key);
    if (time === undefined) {
      time = problem.copyMs(image, from, to);
      if (!(time >= 0 && time < Number.POSITIVE_INFINITY)) throw new RangeError(`a copy from ${from} to ${to} takes ${time} ms`);
      times.set(key, time);
    }
    return time;
  };

  const decode = (order: readonly ScheduleCopy[]): Decoded => {
    const usages = new Map<string, Usage>();
    for (const [key, ends] of problem.takenUntil) {
      const usage = new Usage();
      for (const end of ends) usage.add(nowMs, end);
      usages.set(key, usage);
    }
    const usageOf = (slot: CapacitySlot): readonly [Usage, number] => {
      let usage = usages.get(slot.key);
      if (usage === undefined) usages.set(slot.key, (usage = new Usage()));
      return [usage, Math.max(1, slot.limit)];
    };
    const replicas = new Map<string, Place[]>();
    const placed = new Map<string, ScheduledCopy>();
    let endMs = nowMs;
    let sumMs = 0;
    for (const copy of order) {
      const places: Place[] = [];
      for (const id of copy.holders) {
        const holder = holderById.get(id);
        if (holder !== undefined && holder.region !== copy.region) places.push({ from: id, region: holder.region, slots: holder.slots, readyAtMs: holder.readyAtMs });
      }
      if (copy.fromReplicas) for (const place of replicas.get(copy.image) ?? []) if (place.region !== copy.region) places.push(place);
      let best: ScheduledCopy | undefined;
      let bestSlots: readonly CapacitySlot[] = [];
      for (const place of places) {
        // A copy of no time still takes its slots for a moment: one of zero would take none.
        const duration = Math.max(1, copyMs(copy.image, place.region, copy.region));
        const from = Math.max(nowMs, copy.notBeforeMs, place.readyAtMs);
        if (best !== undefined && from + duration >= best.endMs) continue;
        const start = earliestStart(place.slots.map(usageOf), from, duration);
        if (best === undefined || start + duration < best.endMs) {
          best = { fromId: place.from, fromRegion: place.region, startMs: start, endMs: start + duration };
          bestSlots = place.slots;
        }
      }
      // No holder it may come from: left out (the pass decides it as before).
      if (best === undefined || !Number.isFinite(best.endMs)) continue;
      for (const slot of bestSlots) usageOf(slot)[0].add(best.startMs, best.endMs);
      placed.set(copy.id, best);
      endMs = Math.max(endMs, best.endMs);
      sumMs += best.endMs - nowMs;
      if (copy.relays) {
        const list = replicas.get(copy.image) ?? [];
        list.push({ from: copy.id, region: copy.region, slots: copy.replicaSlots, readyAtMs: best.endMs });
        replicas.set(copy.image, list);
      }
    }
    return { copies: placed, endMs, sumMs };
  };

  // Starting orders: the copies the hint does not know, first or last, before the hint's.
  const hinted = (problem.hint ?? []).filter((id) => byId.has(id));
  const hintedSet = new Set(hinted);
  const fresh = copies.filter((copy) => !hintedSet.has(copy.id));
  const known = hinted.map((id) => byId.get(id)!);
  const starts = hinted.length === 0 ? [copies] : [[...fresh, ...known], [...known, ...fresh]];
  let order = starts[0]!;
  let best = decode(order);
  let decoded = 1;
  for (const start of starts.slice(1)) {
    const result = decode(start);
    decoded += 1;
    if (better(result, best)) [order, best] = [start, result];
  }
  // Local search (late acceptance): move one copy, or swap two; a change is kept when it is no
  // worse than the current order, or than the order of LATE_ACCEPTANCE changes ago. Keeping only
  // changes that are no worse stops in the first order no single move improves; this climbs out.
  const random = generator(problem.seed);
  let current = order;
  let currentResult = best;
  const history: Decoded[] = Array.from({ length: LATE_ACCEPTANCE }, () => best);
  while (decoded < problem.budget && current.length > 1) {
    const candidate = [...current];
    const a = Math.floor(random() * candidate.length);
    const b = Math.floor(random() * candidate.length);
    if (random() < 0.5) candidate.splice(b, 0, ...candidate.splice(a, 1));
    else [candidate[a], candidate[b]] = [candidate[b]!, candidate[a]!];
    const result = decode(candidate);
    const slot = decoded % LATE_ACCEPTANCE;
    decoded += 1;
    if (!better(currentResult, result) || !better(history[slot]!, result)) {
      current = candidate;
      currentResult = result;
      if (better(result, best)) [order, best] = [candidate, result];
    }
    history[slot] = currentResult;
  }
  return { copies: best.copies, endMs: best.endMs, order: order.map((copy) => copy.id), decoded };
};
