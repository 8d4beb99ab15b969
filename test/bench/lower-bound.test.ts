import { describe, expect, it } from 'vitest';
import { broadcastSeconds } from '../../bench/broadcast-bound';
import { type FanOutProblem, fanOutLowerBound } from '../../bench/lower-bound';
import { Prng } from '../../sim/prng';
import { seededLinks } from '../helpers/seeded-links';

/** Every copy takes `seconds`, whatever the size and link. */
const flat = (seconds: number) => () => seconds;

const problem = (overrides: Partial<FanOutProblem>): FanOutProblem => ({
  images: [{ releaseSeconds: 0, sizeGiB: 10 }],
  source: 'S',
  destinations: ['A', 'B', 'C'],
  slotsPerRegion: 5,
  copySeconds: flat(100),
  ...overrides,
});

describe('fanOutLowerBound', () => {
  it('bounds one image by the doubling of its holders, not by copy time × destinations', () => {
    // Prepare: one image to three regions. With relay the best schedule is S→A, then S→B and A→C: 2 copy times.
    const oneImage = problem({});
    // Act
    const bound = fanOutLowerBound(oneImage);
    // Assess
    expect(bound.seconds).toBe(200);
    expect(bound.binding).toBe('doubling');
    expect(bound.parts.path).toBe(100);
  });

  it('bounds many images by the source region slots every image must pass through', () => {
    // Prepare: 40 images to one region; each must leave S once, five at a time.
    const many = problem({ images: Array.from({ length: 40 }, () => ({ releaseSeconds: 0, sizeGiB: 10 })), destinations: ['A'] });
    // Act
    const bound = fanOutLowerBound(many);
    // Assess
    expect(bound.parts.source).toBe(800);
    expect(bound.parts.capacity).toBe(400);
    expect(bound).toMatchObject({ seconds: 800, binding: 'source' });
  });

  it('takes the shortest chain of copies, through a relay when the direct link is slower', () => {
    // Prepare: S→B is slow, S→A→B is quicker.
    const links: Record<string, number> = { 'S>A': 10, 'A>B': 10, 'S>B': 100, 'B>A': 10 };
    const chained = problem({ destinations: ['A', 'B'], copySeconds: (_size, from, to) => links[`${from}>${to}`] ?? 1000 });
    // Act
    const bound = fanOutLowerBound(chained);
    // Assess
    expect(bound.parts.path).toBe(20);
    expect(bound.cheapestWorkSeconds).toBe(20);
  });

  it('starts each image at its release, so a late large image sets the bound', () => {
    // Prepare: a 1,000 s image released at 5,000 s among small ones there from the start.
    const late = problem({
      images: [{ releaseSeconds: 0, sizeGiB: 1 }, { releaseSeconds: 5_000, sizeGiB: 100 }],
      destinations: ['A'],
      copySeconds: (size) => size * 10,
    });
    // Act
    const bound = fanOutLowerBound(late);
    // Assess
    expect(bound.parts.path).toBe(6_000);
    expect(bound.seconds).toBe(6_000);
  });

  it('counts only the work released after each instant against the slots', () => {
    // Prepare: ten 500 s images released at 1,000 s on one destination: 10 · 500 / 5 after 1,000 s.
    const burst = problem({ images: Array.from({ length: 10 }, () => ({ releaseSeconds: 1_000, sizeGiB: 50 })), destinations: ['A'], copySeconds: (size) => size * 10 });
    // Act
    const bound = fanOutLowerBound(burst);
    // Assess
    expect(bound.parts.source).toBe(2_000);
  });

  it('bounds one image by its holders sending one copy after another, when that is the longest', () => {
    // Prepare: A, B and C are 100 from S and far from each other: S sends three copies in turn
    const links: Record<string, number> = { 'S>A': 100, 'S>B': 100, 'S>C': 100 };
    const star = problem({ copySeconds: (_size, from, to) => links[`${from}>${to}`] ?? 1_000 });
    // Act
    const bound = fanOutLowerBound(star);
    // Assess: path says 100 and doubling 200; no schedule ends before 300
    expect(bound.parts).toMatchObject({ path: 100, doubling: 200, broadcast: 300 });
    expect(bound).toMatchObject({ seconds: 300, binding: 'broadcast' });
  });

  it('takes the best tree for the broadcast part: the far chain first, the near copy after', () => {
    // Prepare: A is 10 from S; F is 100 from S and M is 100 from F (400 from anywhere else)
    const links: Record<string, number> = { 'S>A': 10, 'S>F': 100, 'A>F': 100, 'F>M': 100 };
    const chain = problem({ destinations: ['A', 'F', 'M'], copySeconds: (_size, from, to) => links[`${from}>${to}`] ?? 400 });
    // Act
    const bound = fanOutLowerBound(chain);
    // Assess: S→F, F→M and S→A (after S→F) end at 200; A first would end at 210
    expect(bound.parts.broadcast).toBe(200);
  });

  it('refuses a problem without images or with the source among the destinations', () => {
    // Prepare
    const empty = problem({ images: [] });
    const selfCopy = problem({ destinations: ['S', 'A'] });
    // Act
    const [emptyBound, selfBound] = [() => fanOutLowerBound(empty), () => fanOutLowerBound(selfCopy)];
    // Assess
    expect(emptyBound).toThrow(RangeError);
    expect(selfBound).toThrow(RangeError);
  });
});

describe('broadcastSeconds', () => {
  /** Every schedule: any pending region, from any holder, after that holder's previous copy. */
  const bruteForce = (source: string, destinations: readonly string[], copySeconds: (from: string, to: string) => number): number => {
    const walk = (free: Map<string, number>, pending: readonly string[], makespan: number): number => {
      if (pending.length === 0) return makespan;
      let best = Number.POSITIVE_INFINITY;
      for (const to of pending)
        for (const [from, at] of free) {
          const end = at + copySeconds(from, to);
          const next = new Map(free).set(from, end).set(to, end);
          best = Math.min(best, walk(next, pending.filter((p) => p !== to), Math.max(makespan, end)));
        }
      return best;
    };
    return walk(new Map([[source, 0]]), destinations, 0);
  };

  it('matches trying every schedule, on seeded worlds of four regions', () => {
    // Prepare
    const random = new Prng(5);
    for (let world = 0; world < 30; world += 1) {
      const copySeconds = seededLinks(random, 10, 300);
      const destinations = ['A', 'B', 'C', 'D'];
      // Act
      const exact = broadcastSeconds('S', destinations, copySeconds);
      // Assess
      expect(exact).toBe(bruteForce('S', destinations, copySeconds));
    }
  });
});
