import { COPY_EXISTS_STATUSES, type Job, JobStatus } from '../../shared/core/domain/job';
import { formatEta } from './eta';
import { table } from './table';

const BAR_WIDTH = 20;

export const progressBar = (percent: number): string => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
};

/** A copy that was made (and maybe shared, deprecated or deleted since) is 100 %; one under way is as far as it got. */
export const percentOf = (job: Job): number => (COPY_EXISTS_STATUSES.includes(job.status) || job.status === JobStatus.Pruned ? 100 : (job.progressPercent ?? 0));

/** Why a copy is being stopped: an operator's cancel or its timeout. */
const stoppingText = (job: Job): string => `stopping (${job.stop?.outcome === JobStatus.TimedOut ? 'timed out' : 'cancel'})`;

/** Image and destination, and the cloud: both clouds have an ap-southeast-1, and golden images often share names. */
export const jobLabel = (job: Job): string => `${job.source.imageName} → ${job.destination.region} (${job.provider})`;

const statusText = (job: Job): string => {
  const status = job.status === JobStatus.Stopping ? stoppingText(job) : job.status.replace(/_/g, ' ');
  if (job.status === JobStatus.Failed || job.status === JobStatus.TimedOut) return `${status} ${job.lastError?.code ?? ''}`.trimEnd();
  return job.attempt > 1 && !COPY_EXISTS_STATUSES.includes(job.status) && job.status !== JobStatus.Pruned ? `${status}, attempt ${job.attempt}` : status;
};

/** One line per job: what a person wants to see at a glance, the ETA while it copies. */
export const jobLine = (job: Job, width: number, secondsLeft?: number): string => {
  const eta = job.status === JobStatus.Copying ? `  ${formatEta(secondsLeft)}` : '';
  return `${jobLabel(job).padEnd(width)} ${progressBar(percentOf(job))} ${String(percentOf(job)).padStart(3)}%  ${statusText(job)}${eta}`;
};

const minutes = (from: string | undefined, to: string | undefined): string =>
  from === undefined || to === undefined ? '' : `${((new Date(to).getTime() - new Date(from).getTime()) / 60000).toFixed(1)} min`;

const statusCell = (job: Job): string => {
  switch (job.status) {
    case JobStatus.Failed:
    case JobStatus.TimedOut:
      return `${job.status} ${job.lastError?.code ?? ''}`.trimEnd();
    case JobStatus.Copying:
      return `copying ${job.progressPercent ?? 0}%`;
    case JobStatus.Stopping:
      return stoppingText(job);
    case JobStatus.Available:
    case JobStatus.Deprecated:
      // Retention kept it (in use, refused): it says why.
      return job.lastError === undefined ? job.status : `${job.status}, not pruned: ${job.lastError.code}`;
    default:
      return job.status;
  }
};

/**
 * When the copy ended: the history's move out of copying; without a history (older records), when
 * the job finished, unless retention finished it since (pruned), which is no copy's end.
 */
const copyEndOf = (job: Job): string | undefined => {
  const end = [...(job.history ?? [])].reverse().find((entry) => entry.from === JobStatus.Copying || entry.from === JobStatus.Stopping);
  if (end !== undefined) return end.at;
  return job.status === JobStatus.Pruned || job.status === JobStatus.Pruning ? undefined : job.finishedAt;
};

const copyCell = (job: Job): string => {
  if (job.destinationImageId === undefined) return '';
  return job.status === JobStatus.Pruned ? `${job.destinationImageId} (deleted)` : job.destinationImageId;
};

/** The jobs as a table, with the id to hand to `cancel`, `retry` and `history`. */
export const jobTable = (jobs: readonly Job[]): string =>
  table(
    ['job id', 'cloud', 'policy', 'source image', 'destination', 'status', 'copy', 'copy time', 'notified'],
    jobs.map((job) => [
      job.id,
      job.provider,
      job.policy,
      `${job.source.imageName} (${job.source.imageId})`,
      job.destination.region,
      statusCell(job),
      copyCell(job),
      minutes(job.copyStartedAt, copyEndOf(job)),
      job.notification.status,
    ]),
  );
