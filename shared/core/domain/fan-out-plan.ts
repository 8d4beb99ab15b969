/**
 * An image's distribution tree: which holder each waiting copy should come from, and in what
 * order, so that the image is everywhere as early as possible. A holder is the source image or a
 * replica (finished, or expected at a time); each holder runs one copy of the image at a time,
 * and a replica the plan makes becomes a holder once its copy ends. Copies started in the order
 * this gives turn a serial fan-out into a tree that sends the first copy to where the longest
 * chain starts (a far region's nearest relay), not merely over the fastest link.
 *
 * Pure and bounded: a greedy plan first (each step the copy that ends first), then a depth-first
 * search for a better one, over schedules in which copies start as soon as their holder is free,
 * taken in order of start, cut where even the best completion cannot win. The search stops after
 * `budget` steps, keeping the best plan found: a policy with dozens of regions still plans in
 * bounded time, and one with a handful is planned exactly.
 */
export interface PlanHolder {
  readonly id: string;
  readonly region: string;
  /** When it can start a copy (ms): it holds the image by then, and its slots have room. */
  readonly freeAtMs: number;
}

export interface PlanTarget {
  readonly id: string;
  readonly region: string;
  /** Not started before this (a back-off), ms. */
  readonly notBeforeMs: number;
  /** The holders it may come from (ids); absent: any. */
  readonly holders?: readonly string[] | undefined;
  /** Whether it may come from a replica the plan makes (not when its attempt chose a source already). */
  readonly fromReplicas: boolean;
  /** Whether its replica may be copied from once made (not when encrypted or not relayable). */
  readonly relays: boolean;
}

export interface PlannedCopy {
  /** The holder or planned replica (target id) it comes from. */
  readonly fromId: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface FanOutPlan {
  /** By target id. */
  readonly copies: ReadonlyMap<string, PlannedCopy>;
  /** When the last copy is expected to end. */
  readonly endMs: number;
  /** Copy time the plan spends (ms): of two plans that end together, the one that leaves more room. */
  readonly workMs: number;
  /** Whether the search went through (the plan is the best there is) or stopped at its budget. */
  readonly complete: boolean;
  /** Search steps spent: what a pass's budget is charged. */
  readonly steps: number;
}

export interface FanOutProblem {
  readonly holders: readonly PlanHolder[];
  readonly targets: readonly PlanTarget[];
  /** How long a copy from one region to another takes, ms. */
  readonly copyMs: (from: string, to: string) => number;
  /** Search steps at most (a step is one copy tried). */
  readonly budget: number;
}

interface Node {
  readonly id: string;
  readonly region: string;
  free: number;
  /** A replica the plan makes (not a holder given). */
  readonly planned: boolean;
  readonly relays: boolean;
}

interface Assignment {
  readonly target: PlanTarget;
  readonly from: Node;
  readonly start: number;
  readonly end: number;
}

/**
 * A plan's cost: when it ends, plus its copy time once more. The slots a plan holds are slots
 * other images wait for, so of two plans that end about as soon the one over faster links wins
 * (as in source-choice; on the fan-out bench 1 did better than 0, 0.3 or 3).
 */
const WORK_WEIGHT = 1;
const costOf = (endMs: number, workMs: number): number => endMs + WORK_WEIGHT * workMs;
/** Whether a plan that ends at `endMs` after `workMs` of copies beats the best so far. */
const better = (endMs: number, workMs: number, than: { endMs: number; workMs: number } | undefined): boolean =>
  than === undefined || costOf(endMs, workMs) < costOf(than.endMs, than.workMs);

export const planFanOut = (problem: FanOutProblem): FanOutPlan => {
  const { holders, targets, budget } = problem;
  if (targets.length === 0) return { copies: new Map(), endMs: Math.min(...holders.map((h) => h.freeAtMs), Number.POSITIVE_INFINITY), workMs: 0, complete: true, steps: 0 };
  // A time that is not a number (a date that did not parse) would make every comparison false.
  for (const time of [...holders.map((h) => h.freeAtMs), ...targets.map((t) => t.notBeforeMs)]) {
    if (!Number.isFinite(time)) throw new RangeError(`a plan needs finite times, got ${time}`);
  }
  // Every link's copy time, asked once: the search reads them at every step.
  const regions = [...new Set([...holders.map((h) => h.region), ...targets.map((t) => t.region)])];
  const regionIndex = new Map(regions.map((region, index) => [region, index]));
  const times = new Float64Array(regions.length * regions.length).fill(Number.NaN);
  const copyMs = (from: string, to: string): number => {
    const at = (regionIndex.get(from) ?? 0) * regions.length + (regionIndex.get(to) ?? 0);
    let time = times[at] ?? Number.NaN;
    if (Number.isNaN(time)) {
      time = problem.copyMs(from, to);
      if (!(time >= 0 && time < Number.POSITIVE_INFINITY)) throw new RangeError(`a copy from ${from} to ${to} takes ${time} ms`);
      times[at] = time;
    }
    return time;
  };
  const nodes: Node[] = holders.map((h) => ({ id: h.id, region: h.region, free: h.freeAtMs, planned: false, relays: true }));
  // A replica the plan makes serves other regions: a sibling bound for its own region copies from elsewhere.
  const fromAllowed = (target: PlanTarget, node: Node): boolean =>
    node.planned ? target.fromReplicas && node.relays && node.region !== target.region : target.holders === undefined || target.holders.includes(node.id);
  // The least any copy into each target can take: from every region a holder or another target is in.
  const into = new Map(
    targets.map((t) => {
      const sources = [...holders.map((h) => h.region), ...targets.filter((other) => other !== t && other.region !== t.region).map((other) => other.region)];
      return [t.id, Math.min(...sources.map((region) => copyMs(region, t.region)), Number.POSITIVE_INFINITY)];
    }),
  );

  const pending = new Set(targets);
  const indexOf = new Map(targets.map((t, index) => [t, index]));
  const chosen: Assignment[] = [];
  let best: { endMs: number; workMs: number; copies: Map<string, PlannedCopy> } | undefined;
  let steps = 0;

  const record = (endMs: number, workMs: number) => {
    if (!better(endMs, workMs, best)) return;
    best = { endMs, workMs, copies: new Map(chosen.map((a) => [a.target.id, { fromId: a.from.id, startMs: a.start, endMs: a.end }])) };
  };

  const assign = (target: PlanTarget, from: Node, start: number, end: number) => {
    pending.delete(target);
    const previous = from.free;
    from.free = end;
    const replica: Node = { id: target.id, region: target.region, free: end, planned: true, relays: target.relays };
    nodes.push(replica);
    chosen.push({ target, from, start, end });
    return () => {
      chosen.pop();
      nodes.pop();
      from.free = previous;
      pending.add(target);
    };
  };

  /**
   * The copies that may come next in order of start: none before the last one's start, and of
   * those starting with it, only targets listed after its target (one order for each schedule).
   */
  const candidates = (lastStart: number, lastIndex: number): Assignment[] => {
    const found: Assignment[] = [];
    for (const target of pending) {
      for (const from of nodes) {
        if (!fromAllowed(target, from)) continue;
        const start = Math.max(from.free, target.notBeforeMs);
        if (start < lastStart || (start === lastStart && indexOf.get(target) as number <= lastIndex)) continue;
        found.push({ target, from, start, end: start + copyMs(from.region, target.region) });
      }
    }
    return found;
  };

  /**
   * What the pending copies cost at least, from here: each one's earliest end, from a holder that
   * can still send to it (a copy starts when its holder is free and its back-off is over, and none
   * starts before the last one did) or through another pending target; and their copy time over
   * the fastest link left to them.
   */
  const floorOf = (lastStart: number): { endMs: number; workMs: number } => {
    const anyFree = Math.min(...nodes.map((n) => n.free));
    let endMs = Number.NEGATIVE_INFINITY;
    let workMs = 0;
    for (const target of pending) {
      let soonest = Number.POSITIVE_INFINITY;
      let fastest = Number.POSITIVE_INFINITY;
      for (const from of nodes) {
        const start = Math.max(from.free, target.notBeforeMs);
        if (start < lastStart || !fromAllowed(target, from)) continue;
        const copy = copyMs(from.region, target.region);
        soonest = Math.min(soonest, start + copy);
        fastest = Math.min(fastest, copy);
      }
      if (target.fromReplicas) {
        for (const via of pending) {
          if (via === target || !via.relays || via.region === target.region) continue;
          // The replica in `via` starts no sooner than the last start, its back-off and the first free holder.
          const viaEnd = Math.max(lastStart, via.notBeforeMs, anyFree) + (into.get(via.id) ?? 0);
          const copy = copyMs(via.region, target.region);
          soonest = Math.min(soonest, Math.max(viaEnd, target.notBeforeMs) + copy);
          fastest = Math.min(fastest, copy);
        }
      }
      endMs = Math.max(endMs, soonest);
      workMs += fastest;
    }
    return { endMs, workMs };
  };

  // 1. Greedy: the copy that ends first, each step (a complete plan to beat, whatever the budget).
  const undo: Array<() => void> = [];
  let makespan = 0;
  let work = 0;
  while (pending.size > 0) {
    const options = candidates(Number.NEGATIVE_INFINITY, -1);
    if (options.length === 0) break;
    const next = options.reduce((a, b) => (b.end < a.end ? b : a));
    undo.push(assign(next.target, next.from, next.start, next.end));
    makespan = Math.max(makespan, next.end);
    work += next.end - next.start;
  }
  if (pending.size > 0) throw new RangeError(`no holder may send to ${[...pending].map((t) => t.id).join(', ')}`);
  record(makespan, work);
  for (const step of undo.reverse()) step();

  // 2. Depth-first search in order of start, from the best first.
  const search = (lastStart: number, lastIndex: number, endMs: number, workMs: number): void => {
    if (pending.size === 0) {
      record(endMs, workMs);
      return;
    }
    if (steps >= budget) return;
    const floor = floorOf(lastStart);
    if (best !== undefined && costOf(Math.max(endMs, floor.endMs), workMs + floor.workMs) >= costOf(best.endMs, best.workMs)) return;
    const options = candidates(lastStart, lastIndex).sort((a, b) => a.end - b.end);
    for (const option of options) {
      if (steps >= budget) return;
      steps += 1;
      const end = Math.max(endMs, option.end);
      if (best !== undefined && costOf(end, workMs + option.end - option.start) >= costOf(best.endMs, best.workMs)) continue;
      const back = assign(option.target, option.from, option.start, option.end);
      search(option.start, indexOf.get(option.target) as number, end, workMs + option.end - option.start);
      back();
    }
  };
  search(Number.NEGATIVE_INFINITY, -1, 0, 0);

  const plan = best as NonNullable<typeof best>;
  return { copies: plan.copies, endMs: plan.endMs, workMs: plan.workMs, complete: steps < budget, steps };
};
