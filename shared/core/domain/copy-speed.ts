import { secondsBetween } from './clock';
import { type Job, JobStatus } from './job';
import { predictedEndOf } from './look-schedule';
import * as z from '../zod';

/**
 * How fast copies go from one region to another, as observed: what relay fan-out chooses its
 * sources by (a replica over a fast link beats the source over a slow one). Kept per provider
 * account, since links and quotas are the provider's. A figure is effective speed: a copy's size
 * over its whole duration, fixed costs included, so small images look a little slower.
 */
export interface PairSpeed {
  readonly gibPerHour: number;
  readonly samples: number;
  /** When the pair was last observed. */
  readonly at: string;
}

/** By `pairKey(from, to)`. */
export type CopySpeeds = Readonly<Record<string, PairSpeed>>;

export interface SpeedObservation {
  readonly from: string;
  readonly to: string;
  readonly sizeGiB: number;
  readonly seconds: number;
}

/** Pairs kept per account: the most recently observed; a policy names a few dozen at most. */
export const MAX_PAIRS = 400;
/** The newest observation's weight: a link that changes is followed within a few copies. */
const NEWEST_WEIGHT = 0.3;
/** Below this, an observation is a clock's noise (or hostile), not a copy: ignored. */
const MIN_OBSERVED_SECONDS = 30;
/** Bounds of a believable figure (≈ 0.3 MiB/s to 28 GiB/s); a value outside them is not kept or read. */
const MIN_GIB_PER_HOUR = 1;
const MAX_GIB_PER_HOUR = 100_000;
/** A stored figure dated this far past the observation being folded in is a clock gone wrong: dropped. */
const FUTURE_SKEW_MS = 3_600_000;
/**
 * What a pair nobody has observed is assumed to do while no pair at all is known (≈ 28 MiB/s): a
 * conservative figure, so `plan` does not promise too much (docs/costs.md).
 */
export const DEFAULT_GIB_PER_HOUR = 100;

export const pairKey = (from: string, to: string): string => `${from}>${to}`;

const pairSpeedSchema = z.object({
  gibPerHour: z.number().check(z.gte(MIN_GIB_PER_HOUR), z.lte(MAX_GIB_PER_HOUR)),
  samples: z.number().check(z.int(), z.positive()),
  at: z.string().check(z.iso.datetime()),
});

/**
 * What a store holds, read as hostile: entries that do not parse are dropped (a speed is advice,
 * never a reason to fail), keys are bounded, and at most MAX_PAIRS are kept.
 */
export const parseCopySpeeds = (value: unknown): CopySpeeds => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const entries: Array<[string, PairSpeed]> = [];
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const parsed = z.safeParse(pairSpeedSchema, raw);
    if (key.length <= 200 && key.includes('>') && parsed.success) entries.push([key, parsed.data]);
  }
  return Object.fromEntries(newestFirst(entries).slice(0, MAX_PAIRS));
};

const newestFirst = (entries: Array<[string, PairSpeed]>): Array<[string, PairSpeed]> =>
  entries.sort(([ka, a], [kb, b]) => b.at.localeCompare(a.at) || ka.localeCompare(kb));

/** The observation's GiB per hour, when it is one a copy could make; undefined otherwise. */
export const rateOf = (observation: Pick<SpeedObservation, 'sizeGiB' | 'seconds'>): number | undefined => {
  const { sizeGiB, seconds } = observation;
  if (!Number.isFinite(sizeGiB) || !Number.isFinite(seconds) || sizeGiB <= 0 || seconds < MIN_OBSERVED_SECONDS) return undefined;
  const rate = (sizeGiB * 3600) / seconds;
  return rate > MAX_GIB_PER_HOUR || rate < MIN_GIB_PER_HOUR ? undefined : rate;
};

/** The speeds with these observations folded in (a moving average per pair). */
export const withObservations = (speeds: CopySpeeds, observations: readonly SpeedObservation[], at: Date): CopySpeeds => {
  // Kept newest first: an entry from the future would outrank every real one for ever.
  const next: Record<string, PairSpeed> = Object.fromEntries(Object.entries(speeds).filter(([, speed]) => Date.parse(speed.at) <= at.getTime() + FUTURE_SKEW_MS));
  for (const observation of observations) {
    const rate = rateOf(observation);
    if (rate === undefined || observation.from === observation.to) continue;
    const key = pairKey(observation.from, observation.to);
    const before = next[key];
    next[key] =
      before === undefined
        ? { gibPerHour: rate, samples: 1, at: at.toISOString() }
        : { gibPerHour: before.gibPerHour * (1 - NEWEST_WEIGHT) + rate * NEWEST_WEIGHT, samples: before.samples + 1, at: at.toISOString() };
  }
  return Object.fromEntries(newestFirst(Object.entries(next)).slice(0, MAX_PAIRS));
};

/** Where a job's copy comes from: the replica it relays from, else its source region. */
export const copyOrigin = (job: Job): string => job.relay?.region ?? job.source.region;

/**
 * When a finished copy ended, as far as can be told: the end its last percent predicted, when that
 * lies between its last record and the look that saw it done (a look delayed by throttling or a
 * lost message then does not make the link look slower than it was); else that look (which comes
 * within seconds of the predicted end, so the figure errs a little on the slow side).
 */
const endOf = (before: Job, seenAt: Date): Date => {
  const predicted = predictedEndOf(before);
  return predicted !== undefined && predicted.getTime() > Date.parse(before.updatedAt) && predicted.getTime() < seenAt.getTime() ? predicted : seenAt;
};

/**
 * Leeway for the provider's clock against ours: its copy starts when it accepts the call, a moment
 * before we record the start, and the two clocks may differ by a little.
 */
export const PROVIDER_CLOCK_LEEWAY_SECONDS = 60;

/**
 * How long a copy took by the provider's own clock, when that fits what we saw of it: no longer
 * than from our start to the look that saw it done, no shorter than to the last look that saw it
 * still running (its last record), each with the clocks' leeway; and a speed a copy could make.
 * Kept on the job when it ends (`providerCopySeconds`); anything else is not believed. A copy that
 * ended before its first look is otherwise timed by that look.
 */
export const believedProviderSeconds = (before: Job, seconds: number | undefined, seenAt: Date): number | undefined => {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 || before.copyStartedAt === undefined) return undefined;
  if (seconds > secondsBetween(before.copyStartedAt, seenAt) + PROVIDER_CLOCK_LEEWAY_SECONDS) return undefined;
  if (seconds < secondsBetween(before.copyStartedAt, before.updatedAt) - PROVIDER_CLOCK_LEEWAY_SECONDS) return undefined;
  const sizeGiB = before.source.sizeGiB;
  if (sizeGiB !== undefined && rateOf({ sizeGiB, seconds }) === undefined) return undefined;
  return seconds;
};

/**
 * A finished copy's speed: by the provider's clock where it keeps one (believedProviderSeconds),
 * else from its start to its end (endOf). None for a copy of unknown size, or one that was not a
 * plain copy of this job (shared in place, adopted).
 */
export const finishedCopySpeed = (before: Job, after: Job, seenAt: Date): SpeedObservation | undefined => {
  const finished = before.status === JobStatus.Copying && (after.status === JobStatus.Sharing || after.status === JobStatus.Available);
  if (!finished || before.copyStartedAt === undefined || before.source.sizeGiB === undefined || before.shareOnly === true || before.copyAdopted === true) return undefined;
  const seconds = after.providerCopySeconds ?? secondsBetween(before.copyStartedAt, endOf(before, seenAt));
  return { from: copyOrigin(before), to: before.destination.region, sizeGiB: before.source.sizeGiB, seconds };
};

/** A copy's speed from its record alone (start to finish), for a copy that exists; `plan` reads history so. */
export const recordedCopySpeed = (job: Job): SpeedObservation | undefined => {
  if (job.copyStartedAt === undefined || job.finishedAt === undefined || job.source.sizeGiB === undefined || job.shareOnly === true || job.copyAdopted === true) return undefined;
  const seconds = job.providerCopySeconds ?? secondsBetween(job.copyStartedAt, job.finishedAt);
  return { from: copyOrigin(job), to: job.destination.region, sizeGiB: job.source.sizeGiB, seconds };
};

/** A running copy's speed so far, from its progress: fresher than anything stored. */
export const runningCopySpeed = (job: Job, now: Date): SpeedObservation | undefined => {
  const progress = job.progressPercent;
  if (job.status !== JobStatus.Copying || job.copyStartedAt === undefined || job.source.sizeGiB === undefined || job.copyAdopted === true) return undefined;
  if (progress === undefined || progress < 5 || progress >= 100) return undefined;
  return { from: copyOrigin(job), to: job.destination.region, sizeGiB: (job.source.sizeGiB * progress) / 100, seconds: secondsBetween(job.copyStartedAt, now) };
};

/**
 * How long a copy of a size should take between two regions: from the copies running on the pair
 * now and what was observed before (half each), else from the other direction, else the median of every
 * pair known (a pair never tried is assumed ordinary, so it gets tried), else DEFAULT_GIB_PER_HOUR.
 */
export class SpeedEstimate {
  readonly #rates = new Map<string, number>();
  readonly #fallback: number;

  constructor(stored: CopySpeeds, running: readonly SpeedObservation[] = []) {
    for (const [key, speed] of Object.entries(stored)) this.#rates.set(key, speed.gibPerHour);
    const live = new Map<string, number[]>();
    for (const observation of running) {
      const rate = rateOf(observation);
      if (rate === undefined) continue;
      const key = pairKey(observation.from, observation.to);
      const rates = live.get(key);
      if (rates === undefined) live.set(key, [rate]);
      else rates.push(rate);
    }
    // Half what runs now, half what was seen before: one copy crawling does not condemn a link.
    for (const [key, rates] of live) {
      const now = rates.reduce((a, b) => a + b, 0) / rates.length;
      const before = this.#rates.get(key);
      this.#rates.set(key, before === undefined ? now : (now + before) / 2);
    }
    const known = [...this.#rates.values()].sort((a, b) => a - b);
    this.#fallback = known.length === 0 ? DEFAULT_GIB_PER_HOUR : (known[Math.floor((known.length - 1) / 2)] ?? DEFAULT_GIB_PER_HOUR);
  }

  gibPerHour(from: string, to: string): number {
    // A link is usually about as fast both ways: the other direction says more than the median.
    return this.#rates.get(pairKey(from, to)) ?? this.#rates.get(pairKey(to, from)) ?? this.#fallback;
  }

  /** Whether anything was seen of the pair (either way), or its figure is only assumed. */
  observed(from: string, to: string): boolean {
    return this.#rates.has(pairKey(from, to)) || this.#rates.has(pairKey(to, from));
  }

  seconds(from: string, to: string, sizeGiB: number): number {
    return (sizeGiB * 3600) / this.gibPerHour(from, to);
  }
}

/** As stored: JSON, bounded by MAX_PAIRS entries. */
export const encodeCopySpeeds = (speeds: CopySpeeds): string => JSON.stringify(speeds);

/** A stored document, read as hostile: what does not parse is dropped, never thrown. */
export const decodeCopySpeeds = (text: string): CopySpeeds => {
  try {
    return parseCopySpeeds(JSON.parse(text));
  } catch {
    return {};
  }
};
