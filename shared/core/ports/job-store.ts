import { type ReplicationError, VersionConflictError, isReplicationError, RetryableError } from '../domain/errors';
import type { Job, JobStatus } from '../domain/job';

/** A stored job that does not parse is refused with this error code (terminal). */
export const CORRUPT_JOB_CODE = 'CorruptStoredJob';

export interface JobListFilter {
  readonly policy?: string | undefined;
  readonly statuses?: readonly JobStatus[] | undefined;
}

/**
 * Durable job state. Writes are conditional so that concurrent and redelivered invocations can
 * never overwrite each other: create-once, then compare-and-set on `version`.
 */
export interface JobStore {
  /** Creates the job unless a job with its id exists; answers whichever is stored. */
  putIfAbsent(job: Job): Promise<{ readonly created: boolean; readonly job: Job }>;
  get(id: string): Promise<Job | undefined>;
  /**
   * Stores `next` if the stored job still has `next.version - 1`; otherwise throws
   * VersionConflictError. The caller re-reads and decides again.
   */
  update(next: Job): Promise<Job>;
  /**
   * Many `update`s at once, each on its own: every job is stored if its stored version is still
   * `version - 1`, and answered stored, conflict (re-read and decide again) or failed (the store
   * could not say; the job may or may not be stored, as when `update` throws). Answers are in the
   * order of `jobs`; ids must be distinct. Costs a handful of calls per thousands of jobs where the
   * store batches (Tablestore's BatchWriteRow, one SQLite transaction).
   * Optional while wrappers catch up: call it through `updateJobs`, which falls back to `update`.
   */
  updateMany?(jobs: readonly Job[]): Promise<JobUpdateOutcome[]>;
  /**
   * Jobs that still need work (see isInFlight). Its cost follows the work in flight, not the
   * history: implementations keep a separate access path for these.
   */
  listInFlight(): Promise<Job[]>;
  /** Everything, for `status` and the sweep. May scan. A row that does not parse is skipped and logged by id. */
  list(filter?: JobListFilter): Promise<Job[]>;
  /**
   * Moves a job's row out of the way, whatever its bytes (a corrupt row the code cannot read):
   * kept for an operator, and the id is free again. Nothing there is fine.
   */
  setAside(id: string, reason: string): Promise<void>;
  /** What was set aside, oldest first. */
  listSetAside(): Promise<SetAsideJob[]>;
}

/** What became of one job of `updateMany`. */
export type JobUpdateOutcome =
  | { readonly id: string; readonly status: 'stored'; readonly job: Job }
  | { readonly id: string; readonly status: 'conflict'; readonly error: VersionConflictError }
  | { readonly id: string; readonly status: 'failed'; readonly error: ReplicationError };

/** Ids must be distinct within one `updateMany`: a batch cannot write one row twice. */
export const duplicateIds = (jobs: readonly Job[]): string[] => {
  const seen = new Set<string>();
  return jobs.flatMap((job) => (seen.has(job.id) ? [job.id] : (seen.add(job.id), [])));
};

/** `store.updateMany(jobs)`, or one `update` after another where the store has no batch. */
export const updateJobs = async (store: JobStore, jobs: readonly Job[]): Promise<JobUpdateOutcome[]> => {
  if (store.updateMany) return store.updateMany(jobs);
  const outcomes: JobUpdateOutcome[] = [];
  for (const job of jobs) {
    try {
      outcomes.push({ id: job.id, status: 'stored', job: await store.update(job) });
    } catch (error) {
      if (error instanceof VersionConflictError) outcomes.push({ id: job.id, status: 'conflict', error });
      else outcomes.push({ id: job.id, status: 'failed', error: isReplicationError(error) ? error : new RetryableError('Unexpected', String(error), { cause: error }) });
    }
  }
  return outcomes;
};

export interface SetAsideJob {
  readonly id: string;
  readonly reason: string;
  readonly at: string;
  /** The row's bytes as they were, bounded. */
  readonly body: string;
}
