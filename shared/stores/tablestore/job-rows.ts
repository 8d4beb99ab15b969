import { type Job } from '../../core/domain/job';
import { CorruptJobError, decodeJob, encodeJob } from '../job-codec';
import { type Cell, type Column } from './wire/plain-buffer';

/**
 * How jobs sit in the one Tablestore table (string primary key `pk`):
 *   `job:<id>`               the job: its JSON body plus the columns conditions and the console need;
 *   `inflight:<id>`          a marker for each job in flight, so listInFlight ranges over markers only;
 *   `aside:<id>:<time>`      a row the code could not read, kept for an operator;
 *   `speeds:<provider>/<account>`  observed copy speeds between regions (relay source choice);
 *   `outbox:<policy>/<webhook>`    a chat webhook's outbox (pacing, lease, digest mark), shared by every instance.
 */
export const JOB_PREFIX = 'job:';
export const MARKER_PREFIX = 'inflight:';
export const ASIDE_PREFIX = 'aside:';
export const SPEEDS_PREFIX = 'speeds:';
export const OUTBOX_PREFIX = 'outbox:';
/** The character after ':' — the exclusive end of a prefix range. */
export const rangeEnd = (prefix: string): string => `${prefix.slice(0, -1)};`;

export type Columns = ReadonlyMap<string, Cell>;

export const jobColumns = (job: Job): Column[] => [
  { name: 'version', value: BigInt(job.version) },
  { name: 'status', value: job.status },
  { name: 'policy', value: job.policy },
  { name: 'created_at', value: job.createdAt },
  { name: 'updated_at', value: job.updatedAt },
  { name: 'body', value: encodeJob(job) },
];

export const markerColumns = (jobId: string, version: number): Column[] => [
  { name: 'job_id', value: jobId },
  { name: 'version', value: BigInt(version) },
];

export const asInteger = (value: Cell | undefined): number | undefined =>
  typeof value === 'bigint' ? Number(value) : typeof value === 'number' && Number.isInteger(value) ? value : undefined;

export const jobFromColumns = (id: string, columns: Columns): Job => {
  const body = columns.get('body');
  if (typeof body !== 'string') throw new CorruptJobError(id, 'body', 'missing or not a string');
  const job = decodeJob(id, body);
  const version = asInteger(columns.get('version'));
  // The column is what conditions check; a body that disagrees would defeat the lock.
  if (version !== job.version) throw new CorruptJobError(id, 'version', `column ${String(version)} but body ${job.version}`);
  return job;
};

export const markerFrom = (pk: string, columns: Columns): { jobId: string; version: number } => {
  const jobId = columns.get('job_id') ?? pk.slice(MARKER_PREFIX.length);
  if (typeof jobId !== 'string') throw new CorruptJobError(pk, 'job_id', 'in-flight marker names no job');
  return { jobId, version: asInteger(columns.get('version')) ?? 0 };
};

/** The job as a store hands it back: parsed from its stored form, so every read looks alike. */
export const canonical = (job: Job): Job => decodeJob(job.id, encodeJob(job));
export const sameJob = (a: Job, b: Job): boolean => encodeJob(canonical(a)) === encodeJob(canonical(b));

export const byCreation = (a: Job, b: Job): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
