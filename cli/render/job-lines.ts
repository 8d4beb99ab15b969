import { type Job, JobStatus } from '../../shared/core/domain/job';
import { formatEta } from './eta';
import { table } from './table';

const BAR_WIDTH = 20;

export const progressBar = (percent: number): string => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
};

export const percentOf = (job: Job): number => (job.status === JobStatus.Available ? 100 : (job.progressPercent ?? 0));

/** Image and destination, and the cloud: both clouds have an ap-southeast-1, and golden images often share names. */
export const jobLabel = (job: Job): string => `${job.source.imageName} → ${job.destination.region} (${job.provider})`;

const statusText = (job: Job): string => {
  const status = job.status.replace(/_/g, ' ');
  if (job.status === JobStatus.Failed || job.status === JobStatus.TimedOut) return `${status} ${job.lastError?.code ?? ''}`.trimEnd();
  return job.attempt > 1 && job.status !== JobStatus.Available ? `${status}, attempt ${job.attempt}` : status;
};

/** One line per job: what a person wants to see at a glance, the ETA while it copies. */
export const jobLine = (job: Job, width: number, secondsLeft?: number): string => {
  const eta = job.status === JobStatus.Copying ? `  ${formatEta(secondsLeft)}` : '';
  return `${jobLabel(job).padEnd(width)} ${progressBar(percentOf(job))} ${String(percentOf(job)).padStart(3)}%  ${statusText(job)}${eta}`;
};

const minutes = (from: string | undefined, to: string | undefined): string =>
  from === undefined || to === undefined ? '' : `${((new Date(to).getTime() - new Date(from).getTime()) / 60000).toFixed(1)} min`;

const statusCell = (job: Job): string =>
  job.status === JobStatus.Failed || job.status === JobStatus.TimedOut
    ? `${job.status} ${job.lastError?.code ?? ''}`.trimEnd()
    : job.status === JobStatus.Copying
      ? `copying ${job.progressPercent ?? 0}%`
      : job.status;

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
      job.destinationImageId ?? '',
      minutes(job.copyStartedAt, job.finishedAt),
      job.notification.status,
    ]),
  );
