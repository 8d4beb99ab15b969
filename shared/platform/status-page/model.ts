import { secondsBetween } from '../../core/domain/clock';
import { isRunning, isTerminal, type Job, JobStatus } from '../../core/domain/job';
import { boundedLine } from '../../core/notifications/text';
import { type HistoryEntry, historyOf } from './history';

/**
 * The status page's model, and `/api/status`: what a person watching replication wants to know,
 * per policy, per source image, per destination region. Everything in it comes from job records,
 * which hold provider- and user-chosen text: every string is bounded and one line here, and the
 * HTML escapes it again. The JSON is the same model, so a script sees what a person sees.
 */

/** Like Azure's replication status: one word for a source image across its regions. */
export const AggregateState = { InProgress: 'InProgress', Completed: 'Completed', Failed: 'Failed', Unknown: 'Unknown' } as const;
export type AggregateState = (typeof AggregateState)[keyof typeof AggregateState];

const TEXT = { id: 128, name: 256, region: 64, code: 128, message: 2048, route: 64 } as const;

/** A copy running this long without its record changing is shown as stalled. */
export const STALLED_AFTER_SECONDS = 30 * 60;
/** Finished sources older than this are left out unless asked for: the page shows what is going on. */
export const RECENT_DAYS = 7;
/** The page stays readable and fast however big the history: at most this many source images. */
export const MAX_SOURCES = 200;

export interface DestinationStatus {
  readonly jobId: string;
  readonly region: string;
  readonly state: Job['status'];
  readonly progressPercent: number | null;
  readonly etaSeconds: number | null;
  readonly route: string | null;
  readonly copyImageId: string | null;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly round: number;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly copyStartedAt: string | null;
  readonly finishedAt: string | null;
  readonly notBefore: string | null;
  readonly stalledSeconds: number | null;
  readonly notification: { readonly status: string; readonly webhooks: readonly { readonly name: string; readonly status: string; readonly attempts: number; readonly lastError: string | null }[] };
  /** The job's own history log, when the job store keeps one. */
  readonly history: readonly HistoryEntry[] | null;
}

export interface SourceStatus {
  readonly policy: string;
  readonly provider: string;
  readonly account: string;
  readonly imageId: string;
  readonly imageName: string;
  readonly sourceRegion: string;
  readonly sizeGiB: number | null;
  readonly state: AggregateState;
  readonly startedAt: string;
  readonly elapsedSeconds: number;
  readonly etaSeconds: number | null;
  readonly destinations: readonly DestinationStatus[];
}

export interface RegionQueue {
  readonly provider: string;
  readonly region: string;
  readonly running: number;
  readonly cap: number | null;
  readonly queued: number;
  readonly oldestQueuedSeconds: number | null;
  readonly stalled: number;
}

export interface StatusModel {
  readonly generatedAt: string;
  readonly filter: StatusFilter;
  readonly counts: Readonly<Record<Job['status'], number>>;
  readonly regions: readonly RegionQueue[];
  readonly policies: readonly { readonly name: string; readonly sources: readonly SourceStatus[] }[];
  /** Source images left out (older than RECENT_DAYS, or beyond MAX_SOURCES). */
  readonly omittedSources: number;
}

export interface StatusFilter {
  readonly policy?: string | undefined;
  readonly region?: string | undefined;
  readonly job?: string | undefined;
}

const text = (value: unknown, max: number): string => boundedLine(value, max);
const optionalText = (value: unknown, max: number): string | null => (value === undefined || value === null ? null : text(value, max));
const finite = (value: number | undefined): number | null => (value !== undefined && Number.isFinite(value) ? value : null);

/** The provider's estimate, else one from progress so far; none before progress is known. */
const etaOf = (job: Job, now: Date): number | null => {
  if (isTerminal(job.status)) return null;
  const remaining = finite(job.remainingSeconds);
  if (remaining !== null) return Math.round(remaining);
  const progress = finite(job.progressPercent);
  if (progress === null || progress <= 0 || progress >= 100 || job.copyStartedAt === undefined) return null;
  const elapsed = secondsBetween(job.copyStartedAt, now);
  return Number.isFinite(elapsed) && elapsed > 0 ? Math.round((elapsed * (100 - progress)) / progress) : null;
};

const stalledFor = (job: Job, now: Date): number | null => {
  if (!isRunning(job.status)) return null;
  const quiet = secondsBetween(job.updatedAt, now);
  return Number.isFinite(quiet) && quiet >= STALLED_AFTER_SECONDS ? Math.round(quiet) : null;
};

export const destinationOf = (job: Job, now: Date): DestinationStatus => ({
  jobId: text(job.id, TEXT.id),
  region: text(job.destination.region, TEXT.region),
  state: job.status,
  progressPercent: job.status === JobStatus.Available ? 100 : finite(job.progressPercent),
  etaSeconds: etaOf(job, now),
  route: optionalText(job.route, TEXT.route),
  copyImageId: optionalText(job.destinationImageId, TEXT.id),
  attempt: job.attempt,
  maxAttempts: job.maxAttempts,
  round: job.round,
  lastError: job.lastError === undefined ? null : { code: text(job.lastError.code, TEXT.code), message: text(job.lastError.message, TEXT.message), at: text(job.lastError.at, TEXT.id) },
  createdAt: text(job.createdAt, TEXT.id),
  updatedAt: text(job.updatedAt, TEXT.id),
  copyStartedAt: optionalText(job.copyStartedAt, TEXT.id),
  finishedAt: optionalText(job.finishedAt, TEXT.id),
  notBefore: optionalText(job.notBefore, TEXT.id),
  stalledSeconds: stalledFor(job, now),
  notification: {
    status: job.notification.status,
    webhooks: Object.entries(job.notification.webhooks).map(([name, delivery]) => ({
      name: text(name, TEXT.region),
      status: delivery.status,
      attempts: delivery.attempts,
      lastError: optionalText(delivery.lastError, TEXT.message),
    })),
  },
  history: historyOf(job),
});

const aggregate = (jobs: readonly Job[]): AggregateState => {
  if (jobs.length === 0) return AggregateState.Unknown;
  if (jobs.some((job) => !isTerminal(job.status))) return AggregateState.InProgress;
  if (jobs.every((job) => job.status === JobStatus.Available)) return AggregateState.Completed;
  return jobs.some((job) => job.status === JobStatus.Failed || job.status === JobStatus.TimedOut) ? AggregateState.Failed : AggregateState.Unknown;
};

const sourceKey = (job: Job): string => JSON.stringify([job.policy, job.provider, job.account, job.source.region, job.source.imageId]);

const lastActivity = (jobs: readonly Job[]): string => jobs.reduce((latest, job) => (job.updatedAt > latest ? job.updatedAt : latest), '');

const sourceOf = (jobs: readonly Job[], now: Date): SourceStatus => {
  const [first] = jobs;
  if (first === undefined) throw new Error('a source without jobs');
  const startedAt = jobs.reduce((earliest, job) => (job.createdAt < earliest ? job.createdAt : earliest), first.createdAt);
  const destinations = [...jobs].sort((a, b) => a.destination.region.localeCompare(b.destination.region)).map((job) => destinationOf(job, now));
  const etas = destinations.map((d) => d.etaSeconds).filter((eta): eta is number => eta !== null);
  const ended = jobs.every((job) => isTerminal(job.status));
  const endedAt = ended ? jobs.reduce((latest, job) => ((job.finishedAt ?? '') > latest ? (job.finishedAt ?? '') : latest), '') : '';
  const elapsed = secondsBetween(startedAt, ended && endedAt !== '' ? endedAt : now);
  return {
    policy: text(first.policy, TEXT.region),
    provider: first.provider,
    account: text(first.account, TEXT.region),
    imageId: text(first.source.imageId, TEXT.id),
    imageName: text(first.source.imageName, TEXT.name),
    sourceRegion: text(first.source.region, TEXT.region),
    sizeGiB: finite(first.source.sizeGiB),
    state: aggregate(jobs),
    startedAt: text(startedAt, TEXT.id),
    elapsedSeconds: Number.isFinite(elapsed) ? Math.max(0, Math.round(elapsed)) : 0,
    etaSeconds: etas.length === 0 ? null : Math.max(...etas),
    destinations,
  };
};

const regionsOf = (jobs: readonly Job[], now: Date, cap: number | undefined): RegionQueue[] => {
  const byRegion = new Map<string, Job[]>();
  for (const job of jobs.filter((j) => !isTerminal(j.status))) {
    const key = JSON.stringify([job.provider, job.destination.region]);
    byRegion.set(key, [...(byRegion.get(key) ?? []), job]);
  }
  return [...byRegion.values()]
    .map((group) => {
      const [first] = group;
      const queued = group.filter((job) => job.status === JobStatus.Queued || job.status === JobStatus.WaitingForSource);
      const oldest = queued.reduce<string | undefined>((min, job) => (min === undefined || job.createdAt < min ? job.createdAt : min), undefined);
      return {
        provider: first?.provider ?? '',
        region: text(first?.destination.region, TEXT.region),
        running: group.filter((job) => isRunning(job.status)).length,
        cap: cap ?? null,
        queued: queued.length,
        oldestQueuedSeconds: oldest === undefined ? null : Math.max(0, Math.round(secondsBetween(oldest, now))),
        stalled: group.filter((job) => stalledFor(job, now) !== null).length,
      };
    })
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region));
};

const NO_COUNTS: Readonly<Record<Job['status'], number>> = {
  waiting_for_source: 0,
  queued: 0,
  dispatching: 0,
  copying: 0,
  stopping: 0,
  available: 0,
  failed: 0,
  timed_out: 0,
  cancelled: 0,
  sharing: 0,
  deprecated: 0,
  pruning: 0,
  pruned: 0,
};

export interface ModelOptions {
  readonly now: Date;
  readonly filter?: StatusFilter | undefined;
  /** The policy's per-region copy cap, shown beside what runs. */
  readonly maxConcurrentCopiesPerRegion?: number | undefined;
}

/** Groups jobs by policy and source image; recent and in-flight sources first, bounded. */
export const buildStatusModel = (allJobs: readonly Job[], options: ModelOptions): StatusModel => {
  const { now } = options;
  const filter = options.filter ?? {};
  const jobs = allJobs.filter((job) => (filter.policy === undefined || job.policy === filter.policy) && (filter.region === undefined || job.destination.region === filter.region));
  const counts = { ...NO_COUNTS };
  for (const job of jobs) counts[job.status] += 1;

  const groups = new Map<string, Job[]>();
  for (const job of jobs) groups.set(sourceKey(job), [...(groups.get(sourceKey(job)) ?? []), job]);
  const recentSince = new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString();
  const wanted = [...groups.values()].filter((group) =>
    filter.job !== undefined ? group.some((job) => job.id === filter.job) : group.some((job) => !isTerminal(job.status)) || lastActivity(group) >= recentSince,
  );
  // In flight first, then the most recently active.
  wanted.sort((a, b) => Number(b.some((j) => !isTerminal(j.status))) - Number(a.some((j) => !isTerminal(j.status))) || lastActivity(b).localeCompare(lastActivity(a)));
  const shown = wanted.slice(0, MAX_SOURCES).map((group) => sourceOf(group, now));

  const byPolicy = new Map<string, SourceStatus[]>();
  for (const source of shown) byPolicy.set(source.policy, [...(byPolicy.get(source.policy) ?? []), source]);
  return {
    generatedAt: now.toISOString(),
    filter,
    counts,
    regions: regionsOf(jobs, now, options.maxConcurrentCopiesPerRegion),
    policies: [...byPolicy.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, sources]) => ({ name, sources })),
    omittedSources: filter.job === undefined ? groups.size - shown.length : 0,
  };
};
