/**
 * Order statistics for the bench's samples. Linear interpolation between the two nearest ranks
 * (the common "type 7" definition, numpy's default), so the median of an even count is the mean
 * of the middle two and a percentile never invents a value outside the samples.
 */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) throw new RangeError('no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (position - below);
};

export const median = (values: readonly number[]): number => quantile(values, 0.5);
