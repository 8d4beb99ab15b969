import { type CopySpeeds, decodeCopySpeeds, encodeCopySpeeds } from '../../core/domain/copy-speed';
import { InvalidInputError, ReplicationError, RetryableError, TerminalError, VersionConflictError } from '../../core/domain/errors';
import { type Job, isInFlight } from '../../core/domain/job';
import { type JobListFilter, type JobStore, type JobUpdateOutcome, type SetAsideJob, duplicateIds } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import type { SpeedBook } from '../../core/ports/speed-book';
import { MAX_OUTBOX_BODY_BYTES, type StoredOutbox, type WebhookOutboxStore } from '../../core/ports/webhook-outbox';
import { CorruptJobError } from '../job-codec';
import { InFlightSightings } from './in-flight-sightings';
import {
  ASIDE_PREFIX,
  type Columns,
  JOB_PREFIX,
  MARKER_PREFIX,
  OUTBOX_PREFIX,
  SPEEDS_PREFIX,
  asInteger,
  byCreation,
  canonical,
  jobColumns,
  jobFromColumns,
  markerColumns,
  markerFrom,
  rangeEnd,
  sameJob,
} from './job-rows';
import { CONDITION_FAILED, describeOtsFailure, isRetryableOtsCode } from './ots-failure';
import { type OtsCredentials, OtsClient, OtsError, type OtsTransport } from './wire/ots-client';
import {
  BATCH_GET_LIMIT,
  BATCH_WRITE_LIMIT,
  BATCH_WRITE_MAX_BYTES,
  type BatchWrite,
  Comparator,
  type RowOutcome,
  RowExistence,
  TablestoreOperations,
  WriteType,
  type WriteCondition,
  columnsOf,
} from './wire/operations';
import { type Cell, encodeDeleteRow, encodePutRow, encodeUpdateRow } from './wire/plain-buffer';

export { describeOtsFailure, type OtsFailure } from './ots-failure';

/**
 * The job store on Tablestore, through our own small client (./wire). One table, one string
 * primary key `pk` (./job-rows). Invariant: a job in flight always has an `inflight:` marker.
 * Markers carry the version of the write that entered flight and only ever move forward, so a
 * late delete can never remove a marker a newer write relies on. docs/job-store.md explains it.
 */

export const DEFAULT_JOB_TABLE = 'image_replicator_jobs';
/** Our own bounded retries, per call and per row of a batch. */
export const TABLESTORE_MAX_ATTEMPTS = 4;
export const TABLESTORE_BACKOFF_BASE_MS = 100;
export const TABLESTORE_BACKOFF_MAX_MS = 2_000;
const MARKER_ATTEMPTS = 3;
const MAX_ASIDE_BODY_CHARS = 64 * 1024;

export type TablestoreCredentials = OtsCredentials;

export interface TablestoreConnection {
  readonly endpoint: string;
  readonly instanceName: string;
  readonly credentials: TablestoreCredentials;
  readonly tableName?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface TablestoreRetrySettings {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export type TablestoreJobStoreOptions = (
  | { readonly transport: OtsTransport; readonly tableName?: string | undefined }
  | TablestoreConnection
) & {
  readonly retry?: Partial<TablestoreRetrySettings> | undefined;
  /** Injected so tests never wait out a backoff. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly logger?: Logger | undefined;
  /** When a set-aside happened; the system clock by default. */
  readonly now?: (() => Date) | undefined;
};

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

const versionIs = (comparator: Comparator, version: number, passIfMissing: boolean): WriteCondition['column'] => ({
  name: 'version',
  comparator,
  value: BigInt(version),
  passIfMissing,
});
// passIfMissing must be false: a row without `version` would otherwise pass and lose the lock.
const jobAt = (version: number): WriteCondition => ({ rowExistence: RowExistence.ExpectExist, column: versionIs(Comparator.Equal, version, false) });
/** A marker write or delete that never goes back past a newer one. */
const markerAtMost = (version: number): WriteCondition => ({ rowExistence: RowExistence.Ignore, column: versionIs(Comparator.LessEqual, version, true) });
const UNCONDITIONAL: WriteCondition = { rowExistence: RowExistence.Ignore };

/**
 * An outbox row as the port answers it. A row without a usable version is as good as none: the
 * first write's condition lets it be replaced. A body that is not text is an unreadable document,
 * which the outbox replaces rather than obeys.
 */
const outboxFrom = (key: string, columns: Columns): StoredOutbox | undefined => {
  const version = usableVersion(columns.get('version'));
  const body = columns.get('body');
  return version === undefined ? undefined : { key, version, body: typeof body === 'string' ? body : '' };
};
/** A version the compare-and-set can count on: a whole number from 1, short of where a double loses the +1. */
const usableVersion = (cell: Cell | undefined): number | undefined => {
  const version = asInteger(cell);
  return version !== undefined && version >= 1 && version < Number.MAX_SAFE_INTEGER ? version : undefined;
};
/** The first write: no row, or a row without a version; anything written since fails it. */
const OUTBOX_ABSENT: WriteCondition = { rowExistence: RowExistence.Ignore, column: versionIs(Comparator.Equal, 0, true) };

const conditionFailed = (error: unknown): boolean => error instanceof ReplicationError && error.code === CONDITION_FAILED;
const attemptsOf = (error: unknown): number =>
  error instanceof ReplicationError && typeof error.details.attempts === 'number' ? error.details.attempts : 1;
const codeOf = (outcome: RowOutcome | undefined): string | undefined => (outcome && !outcome.ok ? outcome.code : undefined);
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
/** At most `count` items and, past the first, at most `bytes` of them per chunk. */
const chunksWithin = <T>(items: readonly T[], count: number, bytes: number, sizeOf: (item: T) => number): T[][] => {
  const result: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= count || currentBytes + size > bytes)) {
      result.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
};

export class TablestoreJobStore implements JobStore, SpeedBook {
  readonly #client: TablestoreOperations;
  readonly #table: string;
  readonly #retry: TablestoreRetrySettings;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #logger: Logger;
  readonly #now: () => Date;
  /** Jobs this store saw in flight, so staying in flight costs no marker write. */
  readonly #sightings = new InFlightSightings();

  constructor(options: TablestoreJobStoreOptions) {
    this.#table = options.tableName ?? DEFAULT_JOB_TABLE;
    const transport = 'transport' in options ? options.transport : new OtsClient({ ...options, timeoutMs: options.timeoutMs });
    this.#client = new TablestoreOperations(transport, this.#table);
    this.#retry = {
      maxAttempts: options.retry?.maxAttempts ?? TABLESTORE_MAX_ATTEMPTS,
      baseDelayMs: options.retry?.baseDelayMs ?? TABLESTORE_BACKOFF_BASE_MS,
      maxDelayMs: options.retry?.maxDelayMs ?? TABLESTORE_BACKOFF_MAX_MS,
    };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates the table (for `setup:cloud`); an existing table is fine. */
  async ensureTable(): Promise<{ created: boolean }> {
    try {
      await this.#call('CreateTable', () => this.#client.createTable());
      return { created: true };
    } catch (error) {
      if (error instanceof ReplicationError && error.code === 'OTSObjectAlreadyExist') return { created: false };
      throw error;
    }
  }

  async putIfAbsent(job: Job): Promise<{ created: boolean; job: Job }> {
    if (isInFlight(job)) await this.#ensureMarker(job.id, job.version);
    try {
      await this.#call('PutRow', () =>
        this.#client.putRow(encodePutRow(JOB_PREFIX + job.id, jobColumns(job)), { rowExistence: RowExistence.ExpectNotExist }),
      );
      this.#sightings.saw(job);
      return { created: true, job: canonical(job) };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const stored = await this.get(job.id);
      if (!stored) throw new RetryableError('JobStoreInconsistent', `job ${job.id} was reported as existing but is not there`, { cause: error });
      // A retried create whose first answer was lost finds its own row: it did create it.
      if (attemptsOf(error) > 1 && sameJob(stored, job)) return { created: true, job: stored };
      if (!isInFlight(stored)) await this.#settleMarkers([stored]);
      return { created: false, job: stored };
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.#call('GetRow', () => this.#client.getRow(JOB_PREFIX + id));
    if (!row) return undefined;
    const job = jobFromColumns(id, columnsOf(row));
    this.#sightings.saw(job);
    return job;
  }

  async update(next: Job): Promise<Job> {
    const expected = next.version - 1;
    if (isInFlight(next) && !this.#sightings.wasInFlight(next)) await this.#ensureMarker(next.id, next.version);
    try {
      await this.#call('UpdateRow', () =>
        this.#client.updateRow(encodeUpdateRow(JOB_PREFIX + next.id, jobColumns(next)), jobAt(expected)),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const stored = attemptsOf(error) > 1 ? await this.get(next.id) : undefined;
      if (!stored || !sameJob(stored, next)) throw new VersionConflictError(next.id, expected, { cause: error });
    }
    this.#sightings.saw(next);
    if (!isInFlight(next)) await this.#settleMarkers([next]);
    return canonical(next);
  }

  /**
   * BatchWriteRow in chunks of its 200-row limit, each row on its own condition. The order that
   * keeps the invariant: markers of jobs entering flight first, then the jobs, then the deletes
   * of markers of jobs that left flight. A job that stays in flight costs one row, no marker.
   */
  async updateMany(jobs: readonly Job[]): Promise<JobUpdateOutcome[]> {
    const duplicates = duplicateIds(jobs);
    if (duplicates.length > 0) throw new TerminalError('InvalidArgument', `updateMany got job ${duplicates[0]} more than once`);
    const outcomes = new Map<string, JobUpdateOutcome>();
    const entering = jobs.filter((job) => isInFlight(job) && !this.#sightings.wasInFlight(job));
    const markerFailures = await this.#ensureMarkers(entering);
    for (const [id, error] of markerFailures) outcomes.set(id, { id, status: 'failed', error });
    const writable = jobs.filter((job) => !markerFailures.has(job.id));
    const written = await this.#writeRows(
      'BatchWriteRow',
      writable.map((job) => ({ type: WriteType.Update, row: encodeUpdateRow(JOB_PREFIX + job.id, jobColumns(job)), condition: jobAt(job.version - 1) })),
    );
    const lostAnswers: Job[] = [];
    writable.forEach((job, index) => {
      const result = written[index];
      if (result?.outcome.ok) outcomes.set(job.id, { id: job.id, status: 'stored', job: canonical(job) });
      else if (codeOf(result?.outcome) === CONDITION_FAILED && (result?.attempts ?? 0) > 1) lostAnswers.push(job);
      else if (codeOf(result?.outcome) === CONDITION_FAILED) outcomes.set(job.id, this.#conflict(job));
      else outcomes.set(job.id, { id: job.id, status: 'failed', error: this.#rowError('BatchWriteRow', job.id, result) });
    });
    // A row retried after a lost answer may have been our own first try: read it back.
    if (lostAnswers.length > 0) {
      const stored = await this.#getMany(lostAnswers.map((job) => job.id));
      for (const job of lostAnswers) {
        const found = stored.get(job.id);
        outcomes.set(job.id, found && sameJob(found, job) ? { id: job.id, status: 'stored', job: canonical(job) } : this.#conflict(job));
      }
    }
    const stored = jobs.filter((job) => outcomes.get(job.id)?.status === 'stored');
    stored.forEach((job) => this.#sightings.saw(job));
    await this.#settleMarkers(stored.filter((job) => !isInFlight(job)));
    return jobs.map((job) => outcomes.get(job.id) ?? { id: job.id, status: 'failed', error: new RetryableError('TablestoreError', `job ${job.id}: no answer`) });
  }

  async listInFlight(): Promise<Job[]> {
    const markers = (await this.#scan(MARKER_PREFIX)).map(({ pk, columns }) => markerFrom(pk, columns));
    const jobs = await this.#getMany(markers.map((marker) => marker.jobId));
    const inFlight: Job[] = [];
    const finished: Job[] = [];
    for (const marker of markers) {
      const job = jobs.get(marker.jobId);
      if (job && isInFlight(job)) inFlight.push(job);
      // A finished job's marker is left over from a write that stopped halfway: heal it. A
      // marker without its job may belong to a create in progress, so it stays.
      else if (job) finished.push(job);
    }
    await this.#settleMarkers(finished);
    return inFlight.sort(byCreation);
  }

  async setAside(id: string, reason: string): Promise<void> {
    const row = await this.#call('GetRow', () => this.#client.getRow(JOB_PREFIX + id));
    if (!row) return;
    const columns = columnsOf(row);
    const body = columns.get('body');
    const at = this.#now().toISOString();
    await this.#call('PutRow', () =>
      this.#client.putRow(
        encodePutRow(`${ASIDE_PREFIX}${id}:${at}`, [
          { name: 'job_id', value: id },
          { name: 'reason', value: reason.slice(0, 1024) },
          { name: 'at', value: at },
          { name: 'body', value: (typeof body === 'string' ? body : JSON.stringify([...columns.keys()])).slice(0, MAX_ASIDE_BODY_CHARS) },
        ]),
        UNCONDITIONAL,
      ),
    );
    for (const pk of [JOB_PREFIX + id, MARKER_PREFIX + id]) {
      await this.#call('DeleteRow', () => this.#client.deleteRow(encodeDeleteRow(pk), UNCONDITIONAL));
    }
    this.#sightings.forget(id);
    this.#logger.warn('job row set aside', { jobId: id, reason });
  }

  /** Observed copy speeds: one row per provider account, in the jobs' table (no other resource to grant). */
  async readSpeeds(scope: string): Promise<CopySpeeds> {
    const row = await this.#call('GetRow', () => this.#client.getRow(SPEEDS_PREFIX + scope));
    const body = row === undefined ? undefined : columnsOf(row).get('body');
    return typeof body === 'string' ? decodeCopySpeeds(body) : {};
  }

  async writeSpeeds(scope: string, speeds: CopySpeeds): Promise<void> {
    await this.#call('PutRow', () => this.#client.putRow(encodePutRow(SPEEDS_PREFIX + scope, [{ name: 'body', value: encodeCopySpeeds(speeds) }]), UNCONDITIONAL));
  }

  /**
   * Chat webhooks' outboxes (notify's pacing, its lease, the digest's mark), one row each in the
   * jobs' table, so every function instance paces and digests as one. Written whole under the
   * row's `version`, as the port's compare-and-set asks.
   */
  readonly outbox: WebhookOutboxStore = {
    read: async (key) => {
      const row = await this.#call('GetRow', () => this.#client.getRow(OUTBOX_PREFIX + key));
      return row === undefined ? undefined : outboxFrom(key, columnsOf(row));
    },
    write: async (key, body, expectedVersion) => {
      if (Buffer.byteLength(body) > MAX_OUTBOX_BODY_BYTES) throw new InvalidInputError(`an outbox document of more than ${MAX_OUTBOX_BODY_BYTES} bytes`);
      const version = expectedVersion + 1;
      const row = encodePutRow(OUTBOX_PREFIX + key, [
        { name: 'version', value: BigInt(version) },
        { name: 'body', value: body },
      ]);
      const put = async (condition: WriteCondition): Promise<StoredOutbox | undefined> => {
        try {
          await this.#call('PutRow', () => this.#client.putRow(row, condition));
          return { key, version, body };
        } catch (error) {
          if (!conditionFailed(error)) throw error;
          // A retried write whose first answer was lost finds its own document: it did write it.
          const stored = attemptsOf(error) > 1 ? await this.outbox.read(key) : undefined;
          return stored?.version === version && stored.body === body ? stored : undefined;
        }
      };
      if (expectedVersion > 0) return put({ rowExistence: RowExistence.ExpectExist, column: versionIs(Comparator.Equal, expectedVersion, false) });
      // The first write. Where the service fails a column condition on a missing row (undocumented),
      // a row still missing is created outright.
      const written = await put(OUTBOX_ABSENT);
      if (written !== undefined) return written;
      const there = await this.#call('GetRow', () => this.#client.getRow(OUTBOX_PREFIX + key));
      if (there === undefined) return put({ rowExistence: RowExistence.ExpectNotExist });
      // A version no writer of ours leaves (text, a fraction, past 2^53) is replaced under its exact
      // value, so the row cannot block the outbox, and a writer that replaced it first still wins.
      const stored = columnsOf(there).get('version');
      if (stored === undefined || usableVersion(stored) !== undefined) return undefined;
      return put({ rowExistence: RowExistence.ExpectExist, column: { name: 'version', comparator: Comparator.Equal, value: stored, passIfMissing: false } });
    },
  };

  async listSetAside(): Promise<SetAsideJob[]> {
    return (await this.#scan(ASIDE_PREFIX)).map(({ columns }) => ({
      id: String(columns.get('job_id') ?? ''),
      reason: String(columns.get('reason') ?? ''),
      at: String(columns.get('at') ?? ''),
      body: String(columns.get('body') ?? ''),
    }));
  }

  async list(filter: JobListFilter = {}): Promise<Job[]> {
    const rows = await this.#scan(JOB_PREFIX);
    const { policy, statuses } = filter;
    return rows
      .flatMap(({ pk, columns }) => this.#readable(pk.slice(JOB_PREFIX.length), columns))
      .filter((job) => policy === undefined || job.policy === policy)
      .filter((job) => statuses === undefined || statuses.includes(job.status))
      .sort(byCreation);
  }

  /** One corrupt row must not stop a poll, a sweep or `status`: reported by id and skipped. */
  #readable(id: string, columns: Columns): Job[] {
    try {
      return [jobFromColumns(id, columns)];
    } catch (error) {
      if (!(error instanceof CorruptJobError)) throw error;
      this.#logger.error('skipping a corrupt job row', { jobId: id, error: error.message });
      return [];
    }
  }

  #conflict(job: Job): JobUpdateOutcome {
    return { id: job.id, status: 'conflict', error: new VersionConflictError(job.id, job.version - 1) };
  }

  #rowError(operation: string, jobId: string, result: { outcome: RowOutcome; attempts: number } | undefined): ReplicationError {
    const code = result && !result.outcome.ok ? result.outcome.code : 'TablestoreError';
    const message = `Tablestore ${operation} on ${this.#table} failed for job ${jobId} with ${code}`;
    const details = { operation, table: this.#table, jobId, attempts: result?.attempts ?? 0 };
    return isRetryableOtsCode(code) ? new RetryableError(code, message, { details }) : new TerminalError(code, message, { details });
  }

  /** Puts the marker at `version` unless a newer one is there; see docs/job-store.md. */
  async #ensureMarker(jobId: string, version: number): Promise<void> {
    const row = encodePutRow(MARKER_PREFIX + jobId, markerColumns(jobId, version));
    for (let attempt = 1; attempt <= MARKER_ATTEMPTS; attempt += 1) {
      try {
        await this.#call('PutRow', () => this.#client.putRow(row, markerAtMost(version)));
        return;
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
      if (await this.#markerSettledByRead(jobId, version, row)) return;
    }
    throw new RetryableError('InFlightMarkerContention', `job ${jobId}: could not record it as in flight`);
  }

  /**
   * After a failed marker condition: either a newer marker is there (done), or the service judged
   * the missing row as failing the condition, and the marker is created outright.
   */
  async #markerSettledByRead(jobId: string, version: number, row: Buffer): Promise<boolean> {
    const current = await this.#markerVersion(jobId);
    if (current !== undefined) return current >= version;
    try {
      await this.#call('PutRow', () => this.#client.putRow(row, { rowExistence: RowExistence.ExpectNotExist }));
      return true;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      return false;
    }
  }

  /** The markers of jobs entering flight, batched; answers the jobs whose marker could not be put. */
  async #ensureMarkers(jobs: readonly Job[]): Promise<Map<string, ReplicationError>> {
    const failures = new Map<string, ReplicationError>();
    const written = await this.#writeRows(
      'BatchWriteRow',
      jobs.map((job) => ({ type: WriteType.Put, row: encodePutRow(MARKER_PREFIX + job.id, markerColumns(job.id, job.version)), condition: markerAtMost(job.version) })),
    );
    for (const [index, job] of jobs.entries()) {
      const result = written[index];
      if (result?.outcome.ok) continue;
      if (codeOf(result?.outcome) !== CONDITION_FAILED) {
        failures.set(job.id, this.#rowError('BatchWriteRow', job.id, result));
        continue;
      }
      try {
        await this.#ensureMarker(job.id, job.version);
      } catch (error) {
        failures.set(job.id, error instanceof ReplicationError ? error : this.#rowError('PutRow', job.id, undefined));
      }
    }
    return failures;
  }

  /** Deletes the markers of jobs out of flight unless a newer write put them back. Best effort: listInFlight heals. */
  async #settleMarkers(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const deletes = jobs.map((job) => ({ type: WriteType.Delete, row: encodeDeleteRow(MARKER_PREFIX + job.id), condition: markerAtMost(job.version) }));
    try {
      const results = jobs.length === 1 ? [await this.#deleteOne(deletes[0]!)] : (await this.#writeRows('BatchWriteRow', deletes)).map((r) => r.outcome);
      results.forEach((outcome, index) => {
        if (outcome.ok || outcome.code === CONDITION_FAILED) return;
        this.#logger.warn('in-flight marker left behind; listInFlight will remove it', { jobId: jobs[index]?.id, code: outcome.code });
      });
    } catch (error) {
      this.#logger.warn('in-flight markers left behind; listInFlight will remove them', {
        jobIds: jobs.map((job) => job.id).join(','),
        code: error instanceof ReplicationError ? error.code : 'Unexpected',
      });
    }
  }

  async #deleteOne(write: BatchWrite): Promise<RowOutcome> {
    try {
      await this.#call('DeleteRow', () => this.#client.deleteRow(write.row, write.condition));
      return { ok: true };
    } catch (error) {
      if (error instanceof ReplicationError) return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  }

  async #markerVersion(jobId: string): Promise<number | undefined> {
    const row = await this.#call('GetRow', () => this.#client.getRow(MARKER_PREFIX + jobId));
    return row ? markerFrom(MARKER_PREFIX + jobId, columnsOf(row)).version : undefined;
  }

  /**
   * Writes rows in BatchWriteRow chunks and retries the rows that failed alone on a busy or
   * throttled partition, with the same backoff as a call. Answers each row's last outcome.
   */
  async #writeRows(operation: string, writes: readonly BatchWrite[]): Promise<Array<{ outcome: RowOutcome; attempts: number }>> {
    const results: Array<{ outcome: RowOutcome; attempts: number }> = writes.map(() => ({ outcome: { ok: true }, attempts: 0 }));
    let pending = writes.map((_, index) => index);
    for (let round = 1; pending.length > 0; round += 1) {
      if (round > 1) await this.#sleep(this.#backoff(round - 1));
      const retry: number[] = [];
      for (const chunk of chunksWithin(pending, BATCH_WRITE_LIMIT, BATCH_WRITE_MAX_BYTES, (index) => writes[index]?.row.length ?? 0)) {
        let callAttempts = 1;
        let callFailed = false;
        let answers: RowOutcome[];
        try {
          answers = await this.#call(operation, () => this.#client.batchWriteRow(chunk.map((index) => writes[index]!)), (attempts) => {
            callAttempts = attempts;
          });
        } catch (error) {
          // The call itself failed after its own retries: every row of the chunk shares its fate,
          // and rows of other chunks keep theirs.
          if (!(error instanceof ReplicationError)) throw error;
          callAttempts = attemptsOf(error);
          callFailed = true;
          answers = chunk.map(() => ({ ok: false, code: error.code, message: error.message }));
        }
        chunk.forEach((index, position) => {
          const outcome = answers[position] ?? { ok: false, code: 'TablestoreError', message: 'no answer for the row' };
          const attempts = (results[index]?.attempts ?? 0) + callAttempts;
          results[index] = { outcome, attempts };
          const rowFailedAlone = !callFailed && !outcome.ok && isRetryableOtsCode(outcome.code);
          if (rowFailedAlone && round < this.#retry.maxAttempts) retry.push(index);
        });
      }
      pending = retry;
    }
    return results;
  }

  async #getMany(ids: readonly string[]): Promise<Map<string, Job>> {
    const jobs = new Map<string, Job>();
    for (const chunk of chunks(ids, BATCH_GET_LIMIT)) {
      const rows = await this.#call('BatchGetRow', async () => {
        const answer = await this.#client.batchGetRow(chunk.map((id) => JOB_PREFIX + id));
        // A row can fail alone (busy partition); fail the batch so it is retried like any call.
        const failed = answer.find((row) => !row.ok);
        if (failed && !failed.ok) throw new OtsError(failed.code, failed.message);
        return answer;
      });
      chunk.forEach((id, index) => {
        const row = rows[index];
        if (!row?.ok || !row.row) return;
        for (const job of this.#readable(id, columnsOf(row.row))) {
          jobs.set(id, job);
          this.#sightings.saw(job);
        }
      });
    }
    return jobs;
  }

  /** Every row under a key prefix, page by page. */
  async #scan(prefix: string): Promise<Array<{ pk: string; columns: Columns }>> {
    const rows: Array<{ pk: string; columns: Columns }> = [];
    let start: string | undefined = prefix;
    while (start !== undefined) {
      const from: string = start;
      const page = await this.#call('GetRange', () => this.#client.getRange(from, rangeEnd(prefix)));
      for (const row of page.rows) {
        const pk = row.primaryKey[0]?.value;
        if (typeof pk === 'string') rows.push({ pk, columns: columnsOf(row) });
      }
      start = page.next;
    }
    return rows;
  }

  #backoff(failedAttempt: number): number {
    return Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (failedAttempt - 1));
  }

  /** One call with bounded exponential backoff on busy/throttled/unreachable; errors leave as ours. */
  async #call<T>(operation: string, send: () => Promise<T>, onDone?: (attempts: number) => void): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = await send();
        onDone?.(attempt);
        return answer;
      } catch (error) {
        if (error instanceof ReplicationError) throw error;
        const failure = describeOtsFailure(error);
        if (failure.retryable && attempt < this.#retry.maxAttempts) {
          await this.#sleep(this.#backoff(attempt));
          continue;
        }
        const details = { operation, table: this.#table, httpStatus: failure.httpStatus, requestId: failure.requestId, attempts: attempt };
        const message = `Tablestore ${operation} on ${this.#table} failed with ${failure.code}${attempt > 1 ? ` after ${attempt} attempts` : ''}`;
        throw failure.retryable
          ? new RetryableError(failure.code, message, { cause: error, details })
          : new TerminalError(failure.code, message, { cause: error, details });
      }
    }
  }
}
