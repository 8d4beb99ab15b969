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

export interface SetAsideJob {
  readonly id: string;
  readonly reason: string;
  readonly at: string;
  /** The row's bytes as they were, bounded. */
  readonly body: string;
}
