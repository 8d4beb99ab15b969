import { type Job, JobStatus } from '../shared/core/domain/job';

const BAR_WIDTH = 20;

export const progressBar = (percent: number): string => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
};

const percentOf = (job: Job): number => (job.status === JobStatus.Available ? 100 : (job.progressPercent ?? 0));

const label = (job: Job): string => `${job.source.imageName} → ${job.destination.region}`;

/** One line per job: what a person wants to see at a glance. */
export const jobLine = (job: Job, width: number): string => {
  const status = job.status.replace(/_/g, ' ');
  const extra =
    job.status === JobStatus.Failed || job.status === JobStatus.TimedOut
      ? `  ${job.lastError?.code ?? ''}`
      : job.attempt > 1 && job.status !== JobStatus.Available
        ? `  attempt ${job.attempt}`
        : '';
  return `${label(job).padEnd(width)} ${progressBar(percentOf(job))} ${String(percentOf(job)).padStart(3)}%  ${status}${extra}`;
};

/**
 * Progress for people: on a terminal a block of bars redrawn in place; elsewhere (CI, pipes) one
 * plain line whenever a job changes status or passes a quarter of its copy.
 */
export class ProgressView {
  #drawnLines = 0;
  readonly #lastSeen = new Map<string, string>();

  constructor(private readonly write: (text: string) => void, private readonly tty: boolean) {}

  render(jobs: readonly Job[]): void {
    const width = Math.max(10, ...jobs.map((job) => label(job).length));
    if (this.tty) {
      const lines = jobs.map((job) => jobLine(job, width));
      const up = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}A` : '';
      this.write(`${up}${lines.map((line) => `\u001b[2K${line}`).join('\n')}\n`);
      this.#drawnLines = lines.length;
      return;
    }
    for (const job of jobs) {
      const key = `${job.status}:${Math.floor(percentOf(job) / 25)}`;
      if (this.#lastSeen.get(job.id) === key) continue;
      this.#lastSeen.set(job.id, key);
      this.write(`${jobLine(job, width)}\n`);
    }
  }
}

/** A plain table: columns padded to their widest cell. */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};

const minutes = (from: string | undefined, to: string | undefined): string =>
  from === undefined || to === undefined ? '' : `${((new Date(to).getTime() - new Date(from).getTime()) / 60000).toFixed(1)} min`;

export const summaryTable = (jobs: readonly Job[]): string =>
  table(
    ['cloud', 'policy', 'source image', 'destination', 'route', 'status', 'copy', 'shared', 'copy time', 'notified'],
    jobs.map((job) => [
      job.provider,
      job.policy,
      `${job.source.imageName} (${job.source.imageId})`,
      job.destination.region,
      job.route ?? '',
      job.status === JobStatus.Failed || job.status === JobStatus.TimedOut ? `${job.status} ${job.lastError?.code ?? ''}` : job.status,
      job.destinationImageId ?? '',
      job.sharedWith === undefined ? '' : `${job.sharedWith.length} account${job.sharedWith.length === 1 ? '' : 's'}`,
      minutes(job.copyStartedAt, job.finishedAt),
      job.notification.status,
    ]),
  );
