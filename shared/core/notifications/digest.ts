import { secondsBetween } from '../domain/clock';
import { type Job, JobStatus } from '../domain/job';
import {
  type Digest,
  type DigestFailure,
  FIELD_BYTES,
  Outcome,
  type RegionStorage,
  type SlowCopy,
  statusPageLink,
} from './message';
import { boundedLine } from './text';

export interface DigestWindow {
  readonly from: Date;
  readonly to: Date;
}

export const DIGEST_DEFAULT_HOURS = 24;
/** A nightly run that was down for weeks still sends a readable digest, not one for all time. */
export const DIGEST_MAX_DAYS = 7;
export const DIGEST_SLOWEST = 5;
export const DIGEST_MAX_FAILURES = 10;
export const DIGEST_MAX_REGIONS = 50;

const HOUR_MS = 3_600_000;

/**
 * The window a digest covers: since the last nightly run when there was one (so nothing is
 * counted twice or skipped), else the last day; never more than DIGEST_MAX_DAYS back.
 */
export const digestWindow = (now: Date, lastRunAt?: Date): DigestWindow => {
  const oldest = now.getTime() - DIGEST_MAX_DAYS * 24 * HOUR_MS;
  const wanted = lastRunAt === undefined || lastRunAt.getTime() >= now.getTime() ? now.getTime() - DIGEST_DEFAULT_HOURS * HOUR_MS : lastRunAt.getTime();
  return { from: new Date(Math.max(wanted, oldest)), to: now };
};

const within = (at: string | undefined, window: DigestWindow): boolean => {
  if (at === undefined) return false;
  const time = new Date(at).getTime();
  // Half-open, so consecutive windows count each job once.
  return time >= window.from.getTime() && time < window.to.getTime();
};

/** GiB with at most one decimal: the digest is read, not reconciled. */
const roundGiB = (value: number): number => Math.round(value * 10) / 10;
/** A size counts only when it is one: a job from before sizes were recorded adds nothing. */
const knownGiB = (size: number | undefined): number => (size !== undefined && Number.isFinite(size) && size > 0 ? size : 0);

const copyDuration = (job: Job): number | undefined => {
  if (job.finishedAt === undefined) return undefined;
  const seconds = secondsBetween(job.copyStartedAt ?? job.createdAt, job.finishedAt);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds) : undefined;
};

const storageByRegion = (made: readonly Job[]): RegionStorage[] => {
  const byRegion = new Map<string, { copies: number; addedGiB: number; unknownSize: number }>();
  for (const job of made) {
    const region = boundedLine(job.destination.region, FIELD_BYTES.region);
    const entry = byRegion.get(region) ?? { copies: 0, addedGiB: 0, unknownSize: 0 };
    const size = job.source.sizeGiB;
    byRegion.set(region, {
      copies: entry.copies + 1,
      addedGiB: entry.addedGiB + knownGiB(size),
      unknownSize: entry.unknownSize + (size === undefined || !Number.isFinite(size) ? 1 : 0),
    });
  }
  return [...byRegion.entries()]
    .map(([region, entry]) => ({ region, ...entry, addedGiB: roundGiB(entry.addedGiB) }))
    .sort((a, b) => b.addedGiB - a.addedGiB || b.copies - a.copies || a.region.localeCompare(b.region))
    .slice(0, DIGEST_MAX_REGIONS);
};

const slowestOf = (made: readonly Job[]): SlowCopy[] =>
  made
    .flatMap((job) => {
      const durationSeconds = copyDuration(job);
      return durationSeconds === undefined
        ? []
        : [{ imageName: boundedLine(job.source.imageName, FIELD_BYTES.name), destinationRegion: boundedLine(job.destination.region, FIELD_BYTES.region), durationSeconds }];
    })
    .sort((a, b) => b.durationSeconds - a.durationSeconds || a.imageName.localeCompare(b.imageName))
    .slice(0, DIGEST_SLOWEST);

const failuresOf = (jobs: readonly Job[]): DigestFailure[] =>
  [...jobs]
    .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))
    .slice(0, DIGEST_MAX_FAILURES)
    .map((job) => ({
      imageName: boundedLine(job.source.imageName, FIELD_BYTES.name),
      destinationRegion: boundedLine(job.destination.region, FIELD_BYTES.region),
      outcome: job.status === JobStatus.TimedOut ? Outcome.TimedOut : Outcome.Failed,
      errorCode: job.lastError === undefined ? null : boundedLine(job.lastError.code, FIELD_BYTES.errorCode),
    }));

export interface DigestInput {
  readonly policy: string;
  /** The webhook the digest is for; every job of the policy is counted, whenever it was created. */
  readonly webhook: string;
  readonly window: DigestWindow;
  /** Any jobs: only the policy's, finished inside the window, are counted. */
  readonly jobs: readonly Job[];
  readonly statusPageBaseUrl?: string | undefined;
}

/** What one policy's copies did over a window: counts, storage added per region, the slowest. */
export const buildDigest = (input: DigestInput): Digest => {
  const finished = input.jobs.filter((job) => job.policy === input.policy && within(job.finishedAt, input.window));
  const withStatus = (status: JobStatus) => finished.filter((job) => job.status === status);
  const made = withStatus(JobStatus.Available);
  const failed = withStatus(JobStatus.Failed);
  const timedOut = withStatus(JobStatus.TimedOut);
  // Copies retention deleted in the window: their jobs end pruned then. One whose provider kept a
  // part of it (leftBehind) freed what is unknown, and is counted apart, still billed.
  const pruned = withStatus(JobStatus.Pruned);
  const freed = pruned.filter((job) => job.leftBehind === undefined);
  return {
    kind: 'digest',
    policy: boundedLine(input.policy, FIELD_BYTES.policy),
    webhook: boundedLine(input.webhook, FIELD_BYTES.policy),
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    copiesMade: made.length,
    failed: failed.length,
    timedOut: timedOut.length,
    cancelled: withStatus(JobStatus.Cancelled).length,
    pruned: pruned.length,
    freedGiB: roundGiB(freed.reduce((sum, job) => sum + knownGiB(job.source.sizeGiB), 0)),
    prunedLeavingParts: pruned.length - freed.length,
    storage: storageByRegion(made),
    slowest: slowestOf(made),
    failures: failuresOf([...failed, ...timedOut]),
    statusPageUrl: statusPageLink(input.statusPageBaseUrl, { policy: input.policy }),
  };
};
