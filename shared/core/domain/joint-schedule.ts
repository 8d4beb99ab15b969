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

/** The slots a copy out of one holder takes, as numbers, with their limits (raised to 1). */
interface PreparedSlots {
  readonly ids: readonly number[];
  readonly limits: readonly number[];
}

interface Place {
  readonly from: string;
  readonly region: string;
  readonly regionId: number;
  readonly slots: PreparedSlots;
  readonly readyAtMs: number;
}

/** Where a copy is placed while its holders are weighed, with the slots it would take. */
interface Choice extends ScheduledCopy {
  readonly slots: PreparedSlots;
}

/** A copy's parts that do not depend on the order. */
interface PreparedCopy {
  readonly image: number;
  readonly region: number;
  /** The given holders it may come from, outside its own region. */
  readonly given: readonly Place[];
  readonly replicaSlots: PreparedSlots;
}

/**
 * How many copies hold one slot over time: a step function, `counts[k]` from `times[k]` until
 * `times[k + 1]` (the last step lasts for ever). Both kept sorted, so a query is one pass.
 */
class Usage {
  constructor(
    readonly times: number[] = [Number.NEGATIVE_INFINITY],
    readonly counts: number[] = [0],
  ) {}

  clone(): Usage {
    return new Usage(this.times.slice(), this.counts.slice());
  }

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
    const { times, counts } = this;
    const last = times.length - 1;
    let start = from;
    // The last step starts where the last copy ends: nobody holds the slot from there on, so the
    // loop stops before it (and never reads past the arrays' end, which is slow in V8).
    for (let k = this.#stepAt(from); k < last; k += 1) {
      const stepEnd = times[k + 1]!;
      if (stepEnd <= start) continue;
      if (times[k]! >= start + duration) return start;
      if (counts[k]! >= limit) start = stepEnd;
    }
    return start;
  }
}

/** The earliest start at or after `from` at which every slot has room for `duration`. */
const earliestStart = (slots: PreparedSlots, usageOf: (id: number) => Usage, from: number, duration: number): number => {
  let start = from;
  // Each slot's earliest moves the start forward, never back: a round that moves none is the answer.
  for (let moved = true; moved && Number.isFinite(start); ) {
    moved = false;
    for (let k = 0; k < slots.ids.length; k += 1) {
      const next = usageOf(slots.ids[k]!).earliest(start, duration, slots.limits[k]!);
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

/** Numbers 0, 1, 2, … for names, in the order they are first asked for. */
const numbering = () => {
  const numbers = new Map<string, number>();
  const of = (name: string): number => {
    let number = numbers.get(name);
    if (number === undefined) numbers.set(name, (number = numbers.size));
    return number;
  };
  return Object.assign(of, { count: () => numbers.size });
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
  // Decoding runs hundreds of times a pass: everything that does not depend on the order is
  // resolved once here (slots to numbers, each holder's place, link times as they are asked).
  const slotId = numbering();
  const regionId = numbering();
  const imageId = numbering();
  const prepare = (slots: readonly CapacitySlot[]): PreparedSlots => ({
    ids: slots.map((slot) => slotId(slot.key)),
    limits: slots.map((slot) => Math.max(1, slot.limit)),
  });
  const taken = new Map<number, Usage>();
  for (const [key, ends] of problem.takenUntil) {
    const usage = new Usage();
    for (const end of ends) usage.add(nowMs, end);
    taken.set(slotId(key), usage);
  }
  // One place per holder, however many copies may come from it.
  const places = new Map<string, Place>();
  const placeOf = (id: string): Place | undefined => {
    let place = places.get(id);
    const holder = holderById.get(id);
    if (place === undefined && holder !== undefined) {
      places.set(id, (place = { from: id, region: holder.region, regionId: regionId(holder.region), slots: prepare(holder.slots), readyAtMs: holder.readyAtMs }));
    }
    return place;
  };
  const prepared = new Map<ScheduleCopy, PreparedCopy>();
  for (const copy of copies) {
    const given: Place[] = [];
    for (const id of copy.holders) {
      const place = placeOf(id);
      if (place !== undefined && place.region !== copy.region) given.push(place);
    }
    prepared.set(copy, { image: imageId(copy.image), region: regionId(copy.region), given, replicaSlots: prepare(copy.replicaSlots) });
  }
  const regionCount = regionId.count();
  // Every link's copy time, asked once per image and pair of regions (decoding reads them for every
  // copy tried), kept by a number as asked: a table of every image and pair would be mostly empty.
  const times = new Map<number, number>();
  const copyMs = (copy: ScheduleCopy, into: PreparedCopy, place: Place): number => {
    const index = (into.image * regionCount + place.regionId) * regionCount + into.region;
    let time = times.get(index);
    if (time === undefined) {
      time = problem.copyMs(copy.image, place.region, copy.region);
      if (!(time >= 0 && time < Number.POSITIVE_INFINITY)) throw new RangeError(`a copy from ${place.region} to ${copy.region} takes ${time} ms`);
      times.set(index, time);
    }
    return time;
  };

  const decode = (order: readonly ScheduleCopy[]): Decoded => {
    const usages: Array<Usage | undefined> = [];
    const usageOf = (id: number): Usage => (usages[id] ??= taken.get(id)?.clone() ?? new Usage());
    const replicas = new Map<number, Place[]>();
    const placed = new Map<string, ScheduledCopy>();
    let endMs = nowMs;
    let sumMs = 0;
    /** `place` for `copy` if it ends sooner than `best` there, else `best`. */
    const sooner = (copy: ScheduleCopy, into: PreparedCopy, place: Place, best: Choice | undefined): Choice | undefined => {
      // A copy of no time still takes its slots for a moment: one of zero would take none.
      const duration = Math.max(1, copyMs(copy, into, place));
      const from = Math.max(nowMs, copy.notBeforeMs, place.readyAtMs);
      if (best !== undefined && from + duration >= best.endMs) return best;
      const start = earliestStart(place.slots, usageOf, from, duration);
      if (best !== undefined && start + duration >= best.endMs) return best;
      return { fromId: place.from, fromRegion: place.region, startMs: start, endMs: start + duration, slots: place.slots };
    };
    for (const copy of order) {
      const into = prepared.get(copy)!;
      const made = replicas.get(into.image);
      let best: Choice | undefined;
      for (const place of into.given) best = sooner(copy, into, place, best);
      if (copy.fromReplicas && made !== undefined) for (const place of made) if (place.regionId !== into.region) best = sooner(copy, into, place, best);
      // No holder it may come from: left out (the pass decides it as before).
      if (best === undefined || !Number.isFinite(best.endMs)) continue;
      const { slots, ...chosen } = best;
      for (const id of slots.ids) usageOf(id).add(chosen.startMs, chosen.endMs);
      placed.set(copy.id, chosen);
      endMs = Math.max(endMs, chosen.endMs);
      sumMs += chosen.endMs - nowMs;
      if (copy.relays) {
        const place: Place = { from: copy.id, region: copy.region, regionId: into.region, slots: into.replicaSlots, readyAtMs: chosen.endMs };
        if (made !== undefined) made.push(place);
        else replicas.set(into.image, [place]);
      }
    }
    return { copies: placed, endMs, sumMs };
  };

  // Starting orders: the copies the hint does not know, first or last, before the hint's.
  // Each id once: a copy twice in an order would take its slots twice.
  const hinted = [...new Set(problem.hint ?? [])].filter((id) => byId.has(id));
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
