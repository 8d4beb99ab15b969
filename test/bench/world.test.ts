import { describe, expect, it } from 'vitest';
import { drawImages, releaseSeconds } from '../../bench/world/draws';
import { ALL_REGIONS, bandwidthMiBps, bandwidthPairs, copySeconds, COPY_OVERHEAD_SECONDS } from '../../bench/world/regions';

describe('the bench world', () => {
  it('declares every pair of regions once, with the same speed both ways', () => {
    // Prepare
    const regions = ALL_REGIONS;
    // Act
    const pairs = bandwidthPairs(regions);
    // Assess
    expect(pairs).toHaveLength((regions.length * (regions.length - 1)) / 2);
    expect(pairs.every((pair) => pair.bandwidthMiBps === bandwidthMiBps(pair.to, pair.from))).toBe(true);
    expect(new Set(pairs.map((pair) => pair.bandwidthMiBps)).size).toBeGreaterThan(5);
  });

  it('takes a copy as long as the simulator does: overhead plus size over the link', () => {
    // Prepare
    const sizeGiB = 100;
    // Act
    const seconds = copySeconds(sizeGiB, 'cn-hangzhou', 'cn-shanghai');
    // Assess
    expect(seconds).toBeCloseTo(COPY_OVERHEAD_SECONDS + (sizeGiB * 1024) / bandwidthMiBps('cn-hangzhou', 'cn-shanghai'), 3);
  });

  it('draws the same images from the same seed, the first ones there from the start', () => {
    // Prepare
    const options = { count: 40, existing: 10, arrivalWindowSeconds: 3600 };
    // Act
    const [first, again, other] = [drawImages(7, options), drawImages(7, options), drawImages(8, options)];
    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.filter((image) => image.createdAtSeconds === undefined)).toHaveLength(10);
    expect(first.every((image) => image.sizeGiB >= 20 && image.sizeGiB <= 300)).toBe(true);
    expect(first.every((image) => releaseSeconds(image) <= 3600 + image.creationSeconds)).toBe(true);
  });
});
