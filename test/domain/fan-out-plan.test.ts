import { describe, expect, it } from 'vitest';
import { type FanOutPlan, type PlanHolder, type PlanTarget, planFanOut } from '../../shared/core/domain/fan-out-plan';
import { Prng } from '../../sim/prng';
import { seededLinks } from '../helpers/seeded-links';

const target = (id: string, overrides: Partial<PlanTarget> = {}): PlanTarget => ({ id, region: id, notBeforeMs: 0, fromReplicas: true, relays: true, ...overrides });
const source: PlanHolder = { id: 'S', region: 'S', freeAtMs: 0 };
/** Copy times by `from>to`; any other link takes 1,000. */
const links = (table: Record<string, number>) => (from: string, to: string) => table[`${from}>${to}`] ?? 1_000;

/** Every copy starts once its source holds the image, and each holder runs one copy at a time. */
const assertFeasible = (plan: FanOutPlan, holders: readonly PlanHolder[], copyMs: (from: string, to: string) => number, targets: readonly PlanTarget[]) => {
  const regionOf = new Map([...holders.map((h) => [h.id, h.region] as const), ...targets.map((t) => [t.id, t.region] as const)]);
  const readyAt = new Map(holders.map((h) => [h.id, h.freeAtMs]));
  for (const [id, copy] of plan.copies) readyAt.set(id, copy.endMs);
  for (const t of targets) {
    const copy = plan.copies.get(t.id);
    expect(copy, `no copy planned for ${t.id}`).toBeDefined();
    if (copy === undefined) continue;
    expect(copy.startMs).toBeGreaterThanOrEqual(readyAt.get(copy.fromId) ?? Number.NaN);
    expect(copy.startMs).toBeGreaterThanOrEqual(t.notBeforeMs);
    expect(copy.endMs - copy.startMs).toBe(copyMs(regionOf.get(copy.fromId) ?? '', t.region));
  }
  const byHolder = new Map<string, Array<{ startMs: number; endMs: number }>>();
  for (const copy of plan.copies.values()) byHolder.set(copy.fromId, [...(byHolder.get(copy.fromId) ?? []), copy]);
  for (const copies of byHolder.values()) {
    const sorted = [...copies].sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]?.startMs).toBeGreaterThanOrEqual(sorted[i - 1]?.endMs ?? Number.NaN);
  }
};

describe('planning an image’s fan-out', () => {
  it('sends the first copy to where the longest chain starts, not over the fastest link', () => {
    // Prepare: A is 10 away; F is 100 away and the only quick way to M (F→M 100, S→M 400)
    const copyMs = links({ 'S>A': 10, 'S>F': 100, 'A>F': 100, 'S>M': 400, 'F>M': 100, 'A>M': 400 });
    const targets = [target('A'), target('F'), target('M')];
    // Act
    const plan = planFanOut({ holders: [source], targets, copyMs, budget: 10_000 });
    // Assess: S→F first, then F→M and S→A: done at 200 (fastest link first: 210)
    expect(plan.copies.get('F')).toEqual({ fromId: 'S', startMs: 0, endMs: 100 });
    expect(plan.copies.get('M')).toMatchObject({ fromId: 'F', startMs: 100 });
    expect(plan.endMs).toBe(200);
    expect(plan.complete).toBe(true);
    assertFeasible(plan, [source], copyMs, targets);
  });

  it('runs one copy at a time from each holder', () => {
    // Prepare: two targets that may not come from a replica
    const targets = [target('A', { fromReplicas: false }), target('B', { fromReplicas: false })];
    // Act
    const plan = planFanOut({ holders: [source], targets, copyMs: () => 50, budget: 1_000 });
    // Assess
    expect([plan.copies.get('A')?.startMs, plan.copies.get('B')?.startMs].sort()).toEqual([0, 50]);
    expect(plan.endMs).toBe(100);
  });

  it('never copies from a replica that may not be copied from (encrypted)', () => {
    // Prepare: E is near everything but encrypted; B would be quick from it
    const copyMs = links({ 'S>E': 10, 'E>B': 10, 'S>B': 300 });
    const targets = [target('E', { relays: false }), target('B')];
    // Act
    const plan = planFanOut({ holders: [source], targets, copyMs, budget: 1_000 });
    // Assess
    expect(plan.copies.get('B')?.fromId).toBe('S');
  });

  it('keeps a copy whose attempt chose its source on that source', () => {
    // Prepare: R is a finished replica far from A; the source is near it
    const replica: PlanHolder = { id: 'R', region: 'R', freeAtMs: 0 };
    const copyMs = links({ 'S>A': 10, 'R>A': 500 });
    const targets = [target('A', { holders: ['R'], fromReplicas: false })];
    // Act
    const plan = planFanOut({ holders: [source, replica], targets, copyMs, budget: 1_000 });
    // Assess
    expect(plan.copies.get('A')).toEqual({ fromId: 'R', startMs: 0, endMs: 500 });
  });

  it('waits for a holder that is busy, or a replica still being made, when that ends sooner', () => {
    // Prepare: the source is busy until 100; a replica in N is expected at 20 and is near B
    const busy: PlanHolder = { id: 'S', region: 'S', freeAtMs: 100 };
    const coming: PlanHolder = { id: 'N', region: 'N', freeAtMs: 20 };
    const copyMs = links({ 'S>B': 50, 'N>B': 30 });
    // Act
    const plan = planFanOut({ holders: [busy, coming], targets: [target('B')], copyMs, budget: 1_000 });
    // Assess
    expect(plan.copies.get('B')).toEqual({ fromId: 'N', startMs: 20, endMs: 50 });
  });

  it('starts no copy before its back-off ends', () => {
    // Prepare
    const targets = [target('A', { notBeforeMs: 70 })];
    // Act
    const plan = planFanOut({ holders: [source], targets, copyMs: () => 10, budget: 1_000 });
    // Assess
    expect(plan.copies.get('A')).toMatchObject({ startMs: 70, endMs: 80 });
  });

  it('plans dozens of regions within its budget, every copy feasible', () => {
    // Prepare: 30 regions with seeded link times
    const random = new Prng(7);
    const regions = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const copyMs = seededLinks(random, 10, 500);
    const targets = regions.map((r) => target(r));
    // Act
    const plan = planFanOut({ holders: [source], targets, copyMs, budget: 2_000 });
    // Assess
    expect(plan.complete).toBe(false);
    expect(plan.steps).toBe(2_000);
    expect(plan.copies.size).toBe(30);
    assertFeasible(plan, [source], copyMs, targets);
  });

  it('finds the cheapest plan there is (end plus copy time), as trying every schedule does', () => {
    // Prepare: seeded worlds of five regions; every schedule, each holder sending one at a time
    const random = new Prng(11);
    const everySchedule = (copyMs: (from: string, to: string) => number, targets: readonly string[]): number => {
      const walk = (free: Map<string, number>, pending: readonly string[], end: number, work: number): number => {
        if (pending.length === 0) return end + work;
        let cheapest = Number.POSITIVE_INFINITY;
        for (const to of pending)
          for (const [from, at] of free) {
            const copy = copyMs(from, to);
            const next = new Map(free).set(from, at + copy).set(to, at + copy);
            cheapest = Math.min(cheapest, walk(next, pending.filter((p) => p !== to), Math.max(end, at + copy), work + copy));
          }
        return cheapest;
      };
      return walk(new Map([['S', 0]]), targets, 0, 0);
    };
    for (let world = 0; world < 20; world += 1) {
      const copyMs = seededLinks(random, 10, 400);
      const regions = ['A', 'B', 'C', 'D', 'E'];
      // Act
      const plan = planFanOut({ holders: [source], targets: regions.map((r) => target(r)), copyMs, budget: 1_000_000 });
      // Assess
      expect(plan.complete).toBe(true);
      expect(plan.endMs + plan.workMs).toBe(everySchedule(copyMs, regions));
      assertFeasible(plan, [source], copyMs, regions.map((r) => target(r)));
    }
  });

  describe('against trying every schedule, with back-offs, several holders and restricted sources', () => {
    /** The least end plus copy time of any schedule, by brute force, under the planner's rules. */
    const cheapest = (holders: readonly PlanHolder[], targets: readonly PlanTarget[], copyMs: (from: string, to: string) => number): number => {
      type Sender = { id: string; region: string; free: number; planned: boolean; relays: boolean };
      const walk = (senders: readonly Sender[], pending: readonly PlanTarget[], end: number, work: number): number => {
        if (pending.length === 0) return end + work;
        let best = Number.POSITIVE_INFINITY;
        for (const t of pending)
          for (const [i, from] of senders.entries()) {
            const allowed = from.planned ? t.fromReplicas && from.relays && from.region !== t.region : t.holders === undefined || t.holders.includes(from.id);
            if (!allowed) continue;
            const start = Math.max(from.free, t.notBeforeMs);
            const copy = copyMs(from.region, t.region);
            const next = senders.map((s, j) => (j === i ? { ...s, free: start + copy } : s));
            next.push({ id: t.id, region: t.region, free: start + copy, planned: true, relays: t.relays });
            best = Math.min(best, walk(next, pending.filter((p) => p !== t), Math.max(end, start + copy), work + copy));
          }
        return best;
      };
      return walk(holders.map((h) => ({ id: h.id, region: h.region, free: h.freeAtMs, planned: false, relays: true })), targets, 0, 0);
    };

    it('lets a holder free before the last start still send to a copy whose back-off ends later', () => {
      // Prepare: h0 is free at 10 but t0 backs off until 40; h1→t1 at 20 is the cheaper start for t1
      const holders: PlanHolder[] = [{ id: 'h0', region: 'a', freeAtMs: 10 }, { id: 'h1', region: 'b', freeAtMs: 20 }];
      const targets = [target('t0', { region: 'd', notBeforeMs: 40 }), target('t1', { region: 'c' })];
      const copyMs = links({ 'a>c': 20, 'a>d': 10, 'b>c': 10, 'b>d': 40, 'c>d': 20, 'd>c': 40, 'a>b': 10, 'b>a': 50, 'c>a': 50, 'c>b': 20, 'd>a': 20, 'd>b': 10 });
      // Act
      const plan = planFanOut({ holders, targets, copyMs, budget: 1_000_000 });
      // Assess
      expect(plan.endMs + plan.workMs).toBe(70);
      expect(plan.endMs + plan.workMs).toBe(cheapest(holders, targets, copyMs));
    });

    it('counts a copy from a holder in the same region when bounding a branch', () => {
      // Prepare: h1 sits in t1's region, one millisecond from it
      const holders: PlanHolder[] = [{ id: 'h0', region: 'a', freeAtMs: 0 }, { id: 'h1', region: 'b', freeAtMs: 10 }];
      const targets = [
        target('t0', { region: 'd', fromReplicas: false, relays: false }),
        target('t1', { region: 'b' }),
        target('t2', { region: 'c', holders: ['h0'], relays: false }),
      ];
      const copyMs = links({ 'b>b': 1, 'a>b': 10, 'a>d': 20, 'a>c': 40, 'b>c': 20, 'c>b': 30, 'd>b': 30 });
      // Act
      const plan = planFanOut({ holders, targets, copyMs, budget: 1_000_000 });
      // Assess
      expect(plan.endMs + plan.workMs).toBe(cheapest(holders, targets, copyMs));
    });

    it('matches on seeded worlds', () => {
      // Prepare
      const random = new Prng(17);
      for (let world = 0; world < 150; world += 1) {
        const copyMs = seededLinks(random, 1, 60);
        const regions = ['a', 'b', 'c', 'd'];
        const pick = () => regions[Math.floor(random.between(0, regions.length))] ?? 'a';
        const holders: PlanHolder[] = [{ id: 'h0', region: pick(), freeAtMs: Math.round(random.between(0, 30)) }, { id: 'h1', region: pick(), freeAtMs: Math.round(random.between(0, 30)) }];
        const targets = ['t0', 't1', 't2'].map((id) =>
          target(id, {
            region: pick(),
            notBeforeMs: random.between(0, 1) < 0.4 ? Math.round(random.between(0, 60)) : 0,
            relays: random.between(0, 1) < 0.8,
            holders: random.between(0, 1) < 0.2 ? ['h0'] : undefined,
          }),
        );
        // Act
        const plan = planFanOut({ holders, targets, copyMs, budget: 1_000_000 });
        // Assess
        expect(plan.complete).toBe(true);
        expect(plan.endMs + plan.workMs).toBe(cheapest(holders, targets, copyMs));
      }
    });
  });

  it('refuses a time that is not a number (a back-off that did not parse)', () => {
    // Prepare
    const targets = [target('A', { notBeforeMs: Number.NaN })];
    // Act
    const planning = () => planFanOut({ holders: [source], targets, copyMs: () => 10, budget: 10 });
    // Assess
    expect(planning).toThrow(/finite times/);
  });

  it('plans six destinations exactly within its per-image budget', () => {
    // Prepare: the bench's world shape: near and far links, one source
    const random = new Prng(3);
    const regions = ['A', 'B', 'C', 'D', 'E', 'F'];
    for (let world = 0; world < 10; world += 1) {
      const copyMs = seededLinks(random, 60, 2_000, true);
      // Act
      const plan = planFanOut({ holders: [source], targets: regions.map((r) => target(r)), copyMs, budget: 5_000 });
      // Assess
      expect(plan.complete).toBe(true);
    }
  });

  it('refuses a target that no holder may send to', () => {
    // Prepare
    const targets = [target('A', { holders: ['gone'], fromReplicas: false })];
    // Act
    const planning = () => planFanOut({ holders: [source], targets, copyMs: () => 10, budget: 10 });
    // Assess
    expect(planning).toThrow(/no holder may send to A/);
  });
});
