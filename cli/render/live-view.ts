import { createLogUpdate } from 'log-update';
import { type Job, JobStatus, isTerminal } from '../../shared/core/domain/job';
import { EtaTracker } from './eta';
import { jobLabel, jobLine, percentOf } from './job-lines';

/** Where a run's progress and messages go: a live region on a terminal, plain lines elsewhere. */
export interface ProgressSink {
  /** A line that stays: printed above the live region on a terminal, as it comes elsewhere. */
  message(line: string): void;
  /** The jobs as they are now. */
  jobs(jobs: readonly Job[]): void;
  /** The last frame stays on screen; nothing is redrawn after this. */
  done(): void;
}

/** ✓ a copy is there, ✗ none is (failed, timed out, cancelled), · retention's doing (deprecated, pruned). */
const outcomeMark = (job: Job): string => (job.status === JobStatus.Available ? '✓' : job.status === JobStatus.Deprecated || job.status === JobStatus.Pruned ? '·' : '✗');

export const outcomeLine = (job: Job): string =>
  `${outcomeMark(job)} ${jobLabel(job)}  ${job.status.replace(/_/g, ' ')}${job.destinationImageId === undefined ? '' : `  ${job.destinationImageId}`}${job.lastError !== undefined && job.status !== 'available' ? `  ${job.lastError.code}` : ''}`;

const fit = (line: string, columns: number): string => (line.length > columns ? `${line.slice(0, Math.max(1, columns - 1))}…` : line);

/**
 * The live region's text: one line per job still under way (as many as the terminal has room
 * for), then a count. Finished jobs leave the region and are printed once above it instead, so the
 * region stays small and nothing is ever printed twice.
 */
export const liveFrame = (jobs: readonly Job[], eta: EtaTracker, size: { columns: number; rows: number }): string => {
  const active = jobs.filter((job) => !isTerminal(job.status));
  const done = jobs.length - active.length;
  const room = Math.max(1, size.rows - 2);
  const shown = active.length > room ? active.slice(0, room - 1) : active;
  const width = Math.max(10, ...shown.map((job) => jobLabel(job).length));
  const lines = shown.map((job) => fit(jobLine(job, width, eta.secondsLeft(job)), size.columns));
  if (shown.length < active.length) lines.push(`… and ${active.length - shown.length} more under way`);
  lines.push(fit(`${done}/${jobs.length} jobs finished${active.length === 0 ? '' : `, ${active.length} under way`}`, size.columns));
  return lines.join('\n');
};

/** On a terminal: a live region redrawn in place (log-update), messages and outcomes scrolling above it. */
export class LiveRegionSink implements ProgressSink {
  readonly #update: ReturnType<typeof createLogUpdate>;
  readonly #eta: EtaTracker;
  readonly #announced = new Set<string>();
  #jobs: readonly Job[] = [];
  #finished = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    options: { eta?: EtaTracker } = {},
  ) {
    this.#update = createLogUpdate(stream);
    this.#eta = options.eta ?? new EtaTracker();
  }

  message(line: string): void {
    if (this.#finished) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.#update.clear();
    this.stream.write(`${line}\n`);
    this.#draw();
  }

  jobs(jobs: readonly Job[]): void {
    this.#jobs = jobs;
    for (const job of jobs) this.#eta.observe(job);
    const newlyDone = jobs.filter((job) => isTerminal(job.status) && !this.#announced.has(`${job.id}:${job.round}:${job.status}`));
    if (newlyDone.length > 0) {
      this.#update.clear();
      for (const job of newlyDone) {
        this.#announced.add(`${job.id}:${job.round}:${job.status}`);
        this.stream.write(`${outcomeLine(job)}\n`);
      }
    }
    this.#draw();
  }

  done(): void {
    if (this.#finished) return;
    this.#draw();
    this.#update.done();
    this.#finished = true;
  }

  #draw(): void {
    if (this.#jobs.length === 0) return;
    this.#update(liveFrame(this.#jobs, this.#eta, { columns: this.stream.columns || 80, rows: this.stream.rows || 24 }));
  }
}

/** Elsewhere (CI, pipes, files): one plain line whenever a job changes status or passes a quarter of its copy. */
export class PlainLinesSink implements ProgressSink {
  readonly #lastSeen = new Map<string, string>();
  readonly #eta: EtaTracker;

  constructor(
    private readonly write: (text: string) => void,
    options: { eta?: EtaTracker } = {},
  ) {
    this.#eta = options.eta ?? new EtaTracker();
  }

  message(line: string): void {
    this.write(`${line}\n`);
  }

  jobs(jobs: readonly Job[]): void {
    const width = Math.max(10, ...jobs.map((job) => jobLabel(job).length));
    for (const job of jobs) {
      this.#eta.observe(job);
      const key = `${job.round}:${job.status}:${Math.floor(percentOf(job) / 25)}`;
      if (this.#lastSeen.get(job.id) === key) continue;
      this.#lastSeen.set(job.id, key);
      this.write(`${jobLine(job, width, this.#eta.secondsLeft(job))}\n`);
    }
  }

  done(): void {}
}

/** Nothing but what the command prints itself (`--json`). */
export const silentSink: ProgressSink = { message: () => undefined, jobs: () => undefined, done: () => undefined };
