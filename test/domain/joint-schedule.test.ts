import { describe, expect, it } from 'vitest';
import { type JointSchedule, type ScheduleCopy, type ScheduleHolder, type ScheduleProblem, scheduleJointly } from '../../shared/core/domain/joint-schedule';
import type { CapacitySlot } from '../../shared/core/ports/copy-provider';
import { Prng } from '../../sim/prng';

/** As on Alibaba: a copy takes its source region's slots (five) and its source image's (one). */
const regionSlot = (region: string, limit = 5): CapacitySlot => ({ key: `region:${region}`, limit });
const imageSlot = (id: string): CapacitySlot => ({ key: `image:${id}`, limit: 1 });
const holder = (id: string, image: string, region: string, readyAtMs = 0, regionLimit = 5): ScheduleHolder => ({
  id,
  image,
  region,
  readyAtMs,
  slots: [regionSlot(region, regionLimit), imageSlot(id)],
});
const copy = (id: string, image: string, region: string, holders: readonly string[], overrides: Partial<ScheduleCopy> = {}): ScheduleCopy => ({
  id,
  image,
  region,
  notBeforeMs: 0,
  holders,
  fromReplicas: true,
  relays: true,
  replicaSlots: [regionSlot(region), imageSlot(id)],
  ...overrides,
});
/** Copy times by `from>to`, the same for every image; any other link takes 1,000. */
const links = (table: Record<string, number>) => (_image: string, from: string, to: string) => table[`${from}>${to}`] ?? 1_000;
const problem = (overrides: Partial<ScheduleProblem> & Pick<ScheduleProblem, 'holders' | 'copies'>): ScheduleProblem => ({
  nowMs: 0,
  takenUntil: new Map(),
  copyMs: links({}),
  budget: 200,
  seed: 1,
  ...overrides,
});

/** No slot ever holds more copies than its limit, counting the copies running before. */
const assertWithinSlots = (input: ScheduleProblem, schedule: JointSchedule) => {
  const slotsOf = new Map<string, readonly CapacitySlot[]>([...input.holders.map((h) => [h.id, h.slots] as const), ...input.copies.map((c) => [c.id, c.replicaSlots] as const)]);
  const busy = new Map<string, Array<[number, number]>>();
  for (const [key, ends] of input.takenUntil) busy.set(key, ends.map((end) => [input.nowMs, end]));
  const limits = new Map<string, number>();
  for (const scheduled of schedule.copies.values()) {
    for (const slot of slotsOf.get(scheduled.fromId) ?? []) {
      limits.set(slot.key, slot.limit);
      busy.set(slot.key, [...(busy.get(slot.key) ?? []), [scheduled.startMs, scheduled.endMs]]);
    }
  }
  for (const [key, intervals] of busy) {
    for (const [at] of intervals) {
      const running = intervals.filter(([s, e]) => s <= at && e > at).length;
      expect(running, `${key} at ${at}`).toBeLessThanOrEqual(limits.get(key) ?? Number.POSITIVE_INFINITY);
    }
  }
};

describe('scheduling every image’s copies together', () => {
  it('holds a copy back when its slot is worth more to another image’s longer chain', () => {
    // Prepare: one slot in region X. Image B could copy X→Y now (100). Image A's replica in X is
    // ready at 10; its copy X→Z (50) starts a chain Z→W (100). B first ends A at 250; A first, 160.
    const holders = [holder('a-x', 'A', 'X', 10, 1), holder('b-x', 'B', 'X', 0, 1)];
    const copies = [copy('b-y', 'B', 'Y', ['b-x']), copy('a-z', 'A', 'Z', ['a-x']), copy('a-w', 'A', 'W', ['a-x'])];
    const input = problem({ holders, copies, copyMs: links({ 'X>Y': 100, 'X>Z': 50, 'Z>W': 100, 'X>W': 400 }) });
    // Act
    const schedule = scheduleJointly(input);
    // Assess: B waits for A's copy to leave the slot; A relays through Z
    expect(schedule.copies.get('a-z')).toEqual({ fromId: 'a-x', fromRegion: 'X', startMs: 10, endMs: 60 });
    expect(schedule.copies.get('a-w')).toEqual({ fromId: 'a-z', fromRegion: 'Z', startMs: 60, endMs: 160 });
    expect(schedule.copies.get('b-y')).toEqual({ fromId: 'b-x', fromRegion: 'X', startMs: 60, endMs: 160 });
    expect(schedule.endMs).toBe(160);
  });

  it('counts the copies running now against their slots until they are expected to end', () => {
    // Prepare: region S has five slots, four taken until 300
    const input = problem({
      holders: [holder('a', 'A', 'S'), holder('b', 'B', 'S')],
      copies: [copy('a-1', 'A', 'T', ['a']), copy('b-1', 'B', 'T', ['b'])],
      takenUntil: new Map([['region:S', [300, 300, 300, 300]]]),
      copyMs: links({ 'S>T': 100 }),
    });
    // Act
    const schedule = scheduleJointly(input);
    // Assess: one starts now, the other when the first ends
    const starts = [schedule.copies.get('a-1')?.startMs, schedule.copies.get('b-1')?.startMs].sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(starts).toEqual([0, 100]);
    assertWithinSlots(input, schedule);
  });

  it('relays from a replica it plans only where the copy may come from replicas and the replica may relay', () => {
    // Prepare: S→F slow for M; F→M quick. The copy into F may not relay; the one into G may.
    const copyMs = links({ 'S>F': 100, 'S>G': 100, 'F>M': 10, 'G>M': 20, 'S>M': 1_000 });
    const copies = [copy('f', 'A', 'F', ['s'], { relays: false }), copy('g', 'A', 'G', ['s']), copy('m', 'A', 'M', ['s'])];
    // Act
    const schedule = scheduleJointly(problem({ holders: [holder('s', 'A', 'S')], copies, copyMs }));
    const pinned = scheduleJointly(problem({ holders: [holder('s', 'A', 'S')], copies: copies.map((c) => (c.id === 'm' ? { ...c, fromReplicas: false } : c)), copyMs }));
    // Assess
    expect(schedule.copies.get('m')?.fromId).toBe('g');
    expect(pinned.copies.get('m')?.fromId).toBe('s');
  });


  it('keeps every replica it plans for later copies, also past a copy that may not come from replicas', () => {
    // Prepare: in this order, F relays; G may not come from replicas but relays too; M is quick
    // only from F. G must not hide F's replica from M.
    const copyMs = links({ 'S>F': 100, 'S>G': 100, 'F>M': 10, 'G>M': 500, 'S>M': 1_000 });
    const copies = [copy('f', 'A', 'F', ['s']), copy('g', 'A', 'G', ['s'], { fromReplicas: false }), copy('m', 'A', 'M', ['s'])];
    // Act: the given order alone (a budget of one decoding)
    const schedule = scheduleJointly(problem({ holders: [holder('s', 'A', 'S')], copies, copyMs, budget: 1 }));
    // Assess
    expect(schedule.copies.get('m')).toEqual({ fromId: 'f', fromRegion: 'F', startMs: 100, endMs: 110 });
  });
  it('never starts a copy before its back-off, its holder is ready, or now', () => {
    // Prepare
    const input = problem({
      nowMs: 1_000,
      holders: [holder('s', 'A', 'S'), holder('later', 'B', 'S', 5_000)],
      copies: [copy('backing-off', 'A', 'T', ['s'], { notBeforeMs: 3_000 }), copy('waiting', 'B', 'T', ['later']), copy('now', 'A', 'U', ['s'])],
      copyMs: links({ 'S>T': 10, 'S>U': 10, 'T>U': 10 }),
    });
    // Act
    const schedule = scheduleJointly(input);
    // Assess
    expect(schedule.copies.get('backing-off')?.startMs).toBeGreaterThanOrEqual(3_000);
    expect(schedule.copies.get('waiting')?.startMs).toBeGreaterThanOrEqual(5_000);
    expect(schedule.copies.get('now')?.startMs).toBe(1_000);
  });

  it('leaves out a copy no holder can serve, and schedules the rest', () => {
    // Prepare: the only holder named is in the copy's own region, or unknown
    const input = problem({ holders: [holder('s', 'A', 'S')], copies: [copy('same', 'A', 'S', ['s']), copy('ghost', 'A', 'T', ['nobody'], { fromReplicas: false }), copy('ok', 'A', 'T2', ['s'])] });
    // Act
    const schedule = scheduleJointly(input);
    // Assess
    expect([...schedule.copies.keys()]).toEqual(['ok']);
  });

  it('starts from the hint’s order, with the copies it does not know first, and ignores ids it does not have', () => {
    // Prepare: one slot, three equal copies; no search
    const holders = [holder('a', 'A', 'S', 0, 1), holder('b', 'B', 'S', 0, 1), holder('c', 'C', 'S', 0, 1)];
    const copies = [copy('a-1', 'A', 'T', ['a']), copy('b-1', 'B', 'T', ['b']), copy('c-1', 'C', 'T', ['c'])];
    // Act
    const schedule = scheduleJointly(problem({ holders, copies, hint: ['gone', 'c-1', 'b-1'], budget: 0 }));
    // Assess: a-1 is new to the hint; with nothing to choose between, the first order decoded stands
    expect(schedule.order).toEqual(['a-1', 'c-1', 'b-1']);
    expect(schedule.copies.get('a-1')?.startMs).toBe(0);
    expect(schedule.copies.get('c-1')?.startMs).toBe(1_000);
  });

  it('takes each copy once from a hint that names it twice', () => {
    // Prepare: one copy, one slot; the hint repeats it
    const input = problem({ holders: [holder('a', 'A', 'S', 0, 1)], copies: [copy('a-1', 'A', 'T', ['a'])], hint: ['a-1', 'a-1'], budget: 0 });
    // Act
    const schedule = scheduleJointly(input);
    // Assess: placed once, so it ends after one copy time, not behind itself
    expect(schedule.order).toEqual(['a-1']);
    expect(schedule.endMs).toBe(1_000);
  });

  it('finds the best order there is on small problems: no order of their copies ends sooner', () => {
    const permutations = <T>(items: readonly T[]): T[][] =>
      items.length <= 1 ? [[...items]] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    for (let seed = 1; seed <= 12; seed += 1) {
      // Prepare: two images, two or three destinations, one slot in the source region, random links
      const random = new Prng(seed);
      const regions = ['R0', 'R1', 'R2', 'R3'];
      const table: Record<string, number> = {};
      for (const a of regions) for (const b of regions) table[`${a}>${b}`] = Math.round(random.between(10, 200));
      const destinations = regions.slice(1, seed % 2 === 0 ? 3 : 4);
      const holders = [holder('a', 'A', 'R0', 0, 1), holder('b', 'B', 'R0', Math.round(random.between(0, 50)), 1)];
      const copies = ['A', 'B'].flatMap((image) => destinations.map((region) => copy(`${image}-${region}`, image, region, [image.toLowerCase()])));
      const input = problem({ holders, copies, copyMs: links(table), seed });
      const best = Math.min(...permutations(copies.map((c) => c.id)).map((order) => scheduleJointly({ ...input, hint: order, budget: 0 }).endMs));
      // Act
      const searched = scheduleJointly({ ...input, budget: 500 });
      // Assess
      expect(searched.endMs, `seed ${seed}`).toBe(best);
    }
  });

  it('lets a copy of no time take its slot for a moment, so two never share a slot of one', () => {
    // Prepare
    const input = problem({ holders: [holder('s', 'A', 'S', 0, 1)], copies: [copy('t', 'A', 'T', ['s'], { fromReplicas: false }), copy('u', 'A', 'U', ['s'], { fromReplicas: false })], copyMs: () => 0 });
    // Act
    const schedule = scheduleJointly(input);
    // Assess
    expect(new Set([...schedule.copies.values()].map((c) => c.startMs)).size).toBe(2);
  });

  it('keeps every slot within its limit, and decodes no more orders than its budget, on random problems', () => {
    for (let seed = 1; seed <= 25; seed += 1) {
      // Prepare: up to 6 images × 5 regions, two slots a region, random links
      const random = new Prng(seed);
      const regions = ['R0', 'R1', 'R2', 'R3', 'R4'];
      const table: Record<string, number> = {};
      for (const a of regions) for (const b of regions) table[`${a}>${b}`] = Math.round(random.between(10, 200));
      const holders: ScheduleHolder[] = [];
      const copies: ScheduleCopy[] = [];
      for (let i = 0; i < 1 + Math.floor(random.between(0, 6)); i += 1) {
        holders.push({ ...holder(`h${i}`, `I${i}`, 'R0', Math.round(random.between(0, 100)), 2) });
        for (const region of regions.slice(1)) copies.push({ ...copy(`c${i}-${region}`, `I${i}`, region, [`h${i}`]), replicaSlots: [regionSlot(region, 2), imageSlot(`c${i}-${region}`)] });
      }
      const input = problem({ holders, copies, copyMs: links(table), takenUntil: new Map([['region:R0', [50]]]), seed });
      // Act
      const searched = scheduleJointly({ ...input, budget: 300 });
      // Assess
      expect(searched.copies.size).toBe(copies.length);
      expect(searched.decoded).toBe(300);
      assertWithinSlots(input, searched);
      expect(scheduleJointly({ ...input, budget: 300 })).toEqual(searched);
    }
  });

  it('refuses times that are not numbers and copy times that are not finite', () => {
    // Prepare
    const base = { holders: [holder('s', 'A', 'S')], copies: [copy('t', 'A', 'T', ['s'])] };
    // Act / Assess
    expect(() => scheduleJointly(problem({ ...base, nowMs: Number.NaN }))).toThrow(/finite times/);
    expect(() => scheduleJointly(problem({ ...base, copies: [copy('t', 'A', 'T', ['s'], { notBeforeMs: Number.NaN })] }))).toThrow(/finite times/);
    expect(() => scheduleJointly(problem({ ...base, copyMs: () => Number.POSITIVE_INFINITY }))).toThrow(/takes/);
    expect(() => scheduleJointly(problem({ ...base, copyMs: () => -1 }))).toThrow(/takes/);
  });
});
