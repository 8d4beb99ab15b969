import type { Job, JobStatus } from '../domain/job';

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
  /** Everything, for `status` and the sweep. May scan. */
  list(filter?: JobListFilter): Promise<Job[]>;
}
