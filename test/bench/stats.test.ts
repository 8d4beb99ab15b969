import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../bench/stats';

describe('bench statistics', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    // Prepare
    const odd = [5, 1, 3];
    const even = [4, 1, 3, 2];
    // Act
    const [oddMedian, evenMedian] = [median(odd), median(even)];
    // Assess
    expect(oddMedian).toBe(3);
    expect(evenMedian).toBe(2.5);
  });

  it('interpolates a percentile between the two nearest ranks and never leaves the samples', () => {
    // Prepare
    const samples = Array.from({ length: 11 }, (_, i) => i * 10); // 0, 10, … 100
    // Act
    const p90 = quantile(samples, 0.9);
    const p95 = quantile(samples, 0.95);
    const extremes = [quantile(samples, 0), quantile(samples, 1)];
    // Assess
    expect(p90).toBe(90);
    expect(p95).toBeCloseTo(95);
    expect(extremes).toEqual([0, 100]);
  });

  it('answers the only sample for any quantile and leaves its input unsorted', () => {
    // Prepare
    const samples = [3, 1, 2];
    // Act
    const single = quantile([7], 0.9);
    median(samples);
    // Assess
    expect(single).toBe(7);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and a quantile outside [0, 1]', () => {
    // Prepare
    const samples = [1, 2];
    // Act
    const empty = () => quantile([], 0.5);
    const outside = () => quantile(samples, 90);
    // Assess
    expect(empty).toThrow(RangeError);
    expect(outside).toThrow(RangeError);
  });
});
