import type { CopySpeeds } from '../../shared/core/domain/copy-speed';

/** A speed book's document: GiB per hour by `pairKey(from, to)`, as if observed `samples` times at `at`. */
export const copySpeeds = (pairs: Record<string, number>, options: { readonly samples?: number; readonly at?: string } = {}): CopySpeeds =>
  Object.fromEntries(Object.entries(pairs).map(([pair, gibPerHour]) => [pair, { gibPerHour, samples: options.samples ?? 3, at: options.at ?? '2026-03-01T00:00:00.000Z' }]));
