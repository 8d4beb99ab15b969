import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GIB_PER_HOUR,
  MAX_PAIRS,
  SpeedEstimate,
  decodeCopySpeeds,
  encodeCopySpeeds,
  pairKey,
  parseCopySpeeds,
  withObservations,
} from '../../shared/core/domain/copy-speed';

const at = new Date('2026-03-01T00:00:00Z');
const HZ_EU = pairKey('cn-hangzhou', 'eu-central-1');

describe('copy speeds', () => {
  it('records a first observation as it is, then follows newer ones as a moving average', () => {
    // Prepare: 100 GiB in 1 h, then 100 GiB in 30 min
    const first = withObservations({}, [{ from: 'cn-hangzhou', to: 'eu-central-1', sizeGiB: 100, seconds: 3600 }], at);
    // Act
    const second = withObservations(first, [{ from: 'cn-hangzhou', to: 'eu-central-1', sizeGiB: 100, seconds: 1800 }], at);
    // Assess
    expect(first[HZ_EU]).toMatchObject({ gibPerHour: 100, samples: 1 });
    expect(second[HZ_EU]?.gibPerHour).toBeCloseTo(100 * 0.7 + 200 * 0.3);
    expect(second[HZ_EU]?.samples).toBe(2);
  });

  it('ignores what cannot be a copy: instant, negative, endless or into its own region', () => {
    // Act
    const speeds = withObservations(
      {},
      [
        { from: 'a', to: 'b', sizeGiB: 100, seconds: 1 },
        { from: 'a', to: 'b', sizeGiB: -5, seconds: 600 },
        { from: 'a', to: 'b', sizeGiB: Number.POSITIVE_INFINITY, seconds: 600 },
        { from: 'a', to: 'a', sizeGiB: 100, seconds: 600 },
      ],
      at,
    );
    // Assess
    expect(speeds).toEqual({});
  });

  it('drops a figure dated in the future when folding in, so it cannot outrank every real one', () => {
    // Prepare: a full document dated in the year 9999
    const future = Object.fromEntries(
      Array.from({ length: MAX_PAIRS }, (_, i) => [pairKey(`f${i}`, 'x'), { gibPerHour: 50, samples: 1, at: '9999-01-01T00:00:00.000Z' }]),
    );
    // Act
    const speeds = withObservations(future, [{ from: 'cn-hangzhou', to: 'eu-central-1', sizeGiB: 100, seconds: 3600 }], at);
    // Assess
    expect(speeds[HZ_EU]?.gibPerHour).toBe(100);
    expect(Object.keys(speeds)).toEqual([HZ_EU]);
  });

  it('neither keeps nor reads a speed too slow to be a copy', () => {
    // Act
    const observed = withObservations({}, [{ from: 'a', to: 'b', sizeGiB: 0.1, seconds: 3600 }], at);
    const read = parseCopySpeeds({ [pairKey('a', 'b')]: { gibPerHour: 1e-300, samples: 1, at: at.toISOString() } });
    // Assess
    expect(observed).toEqual({});
    expect(read).toEqual({});
  });

  it('keeps at most MAX_PAIRS pairs, the most recently observed', () => {
    // Prepare
    let speeds = {};
    for (let i = 0; i <= MAX_PAIRS; i += 1) {
      speeds = withObservations(speeds, [{ from: `r${i}`, to: 'x', sizeGiB: 10, seconds: 600 }], new Date(at.getTime() + i * 1000));
    }
    // Assess
    expect(Object.keys(speeds)).toHaveLength(MAX_PAIRS);
    expect(speeds).not.toHaveProperty(pairKey('r0', 'x'));
    expect(speeds).toHaveProperty(pairKey(`r${MAX_PAIRS}`, 'x'));
  });

  it('reads a stored document as hostile: bad entries are dropped, bad documents are empty', () => {
    // Prepare
    const good = { gibPerHour: 120, samples: 2, at: at.toISOString() };
    const stored = { [HZ_EU]: good, 'no-arrow': good, [pairKey('a', 'b')]: { gibPerHour: -1, samples: 1, at: at.toISOString() }, [pairKey('c', 'd')]: 'fast' };
    // Act / Assess
    expect(parseCopySpeeds(stored)).toEqual({ [HZ_EU]: good });
    expect(decodeCopySpeeds('{not json')).toEqual({});
    expect(decodeCopySpeeds('[1,2]')).toEqual({});
    expect(decodeCopySpeeds(encodeCopySpeeds({ [HZ_EU]: good }))).toEqual({ [HZ_EU]: good });
  });

  describe('estimates', () => {
    const stored = withObservations(
      {},
      [
        { from: 'a', to: 'b', sizeGiB: 100, seconds: 3600 },
        { from: 'a', to: 'c', sizeGiB: 300, seconds: 3600 },
        { from: 'a', to: 'd', sizeGiB: 500, seconds: 3600 },
      ],
      at,
    );

    it('uses what was observed for the pair', () => {
      expect(new SpeedEstimate(stored).seconds('a', 'b', 50)).toBeCloseTo(1800);
    });

    it('weighs the copies running on the pair now half against what was observed before', () => {
      const estimate = new SpeedEstimate(stored, [{ from: 'a', to: 'b', sizeGiB: 100, seconds: 600 }]);
      expect(estimate.gibPerHour('a', 'b')).toBeCloseTo((600 + 100) / 2);
      expect(new SpeedEstimate({}, [{ from: 'a', to: 'b', sizeGiB: 100, seconds: 600 }]).gibPerHour('a', 'b')).toBeCloseTo(600);
    });

    it('reads a pair never observed from its other direction, when that was', () => {
      expect(new SpeedEstimate(stored).gibPerHour('c', 'a')).toBeCloseTo(300);
      expect(new SpeedEstimate(stored).gibPerHour('b', 'a')).toBeCloseTo(100);
    });

    it('assumes a pair never observed either way is an ordinary one (the median), so it gets tried', () => {
      expect(new SpeedEstimate(stored).gibPerHour('x', 'y')).toBeCloseTo(300);
    });

    it('tells a pair seen (either way) from one only assumed', () => {
      const estimate = new SpeedEstimate(stored);
      expect([estimate.observed('a', 'b'), estimate.observed('b', 'a'), estimate.observed('x', 'y')]).toEqual([true, true, false]);
    });

    it('falls back to a default when nothing at all is known', () => {
      expect(new SpeedEstimate({}).gibPerHour('x', 'y')).toBe(DEFAULT_GIB_PER_HOUR);
    });
  });
});
