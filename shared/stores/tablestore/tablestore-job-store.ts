import TableStore from 'tablestore';
import { z } from 'zod';
import { ReplicationError, RetryableError, TerminalError, VersionConflictError } from '../../core/domain/errors';
import { type Job, isInFlight } from '../../core/domain/job';
import type { JobListFilter, JobStore, SetAsideJob } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import { CorruptJobError, decodeJob, encodeJob } from '../job-codec';

/**
 * The job store on Tablestore. One table, one string primary key `pk`:
 *   `job:<id>`       the job (JSON body + the columns conditions and the console need);
 *   `inflight:<id>`  a marker for each job in flight, so listInFlight ranges over markers only.
 * Invariant: a job in flight always has a marker. Markers carry the job version that wrote them
 * and only ever move forward, so a late delete can never remove a marker a newer write relies on.
 * docs/job-store.md explains the design and why there is no secondary index.
 */

export const DEFAULT_JOB_TABLE = 'image_replicator_jobs';
/** Our own bounded retries: the SDK's code-based ones never match (it reads the HTTP status as the code). */
export const TABLESTORE_MAX_ATTEMPTS = 4;
export const TABLESTORE_BACKOFF_BASE_MS = 100;
export const TABLESTORE_BACKOFF_MAX_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** The service's cap on rows per BatchGetRow. */
const BATCH_GET_LIMIT = 100;
const MARKER_ATTEMPTS = 3;

const JOB_PREFIX = 'job:';
const MARKER_PREFIX = 'inflight:';
/** Rows the code could not read, kept for an operator: `aside:<job id>:<time>`. */
const ASIDE_PREFIX = 'aside:';
const MAX_ASIDE_BODY_CHARS = 64 * 1024;
/** The character after ':' — the exclusive end of a prefix range. */
const rangeEnd = (prefix: string): string => `${prefix.slice(0, -1)};`;

/** Busy, throttled, not ready or unreachable: worth the same request again shortly. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'OTSServerBusy',
  'OTSNotEnoughCapacityUnit',
  'OTSTableNotReady',
  'OTSPartitionUnavailable',
  'OTSOperationThrottled',
  'OTSQuotaExhausted',
  'OTSRowOperationConflict',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'NetworkingError',
  'HTTP500',
  'HTTP502',
  'HTTP503',
  'HTTP504',
]);
const CONDITION_FAILED = 'OTSConditionCheckFail';

export interface OtsFailure {
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus?: number | undefined;
  readonly requestId?: string | undefined;
}

/**
 * Reads what went wrong from an SDK error. The SDK cannot parse the service's protobuf error, so
 * `code` holds the HTTP status and the real code sits inside `message` among protobuf bytes.
 */
export const describeOtsFailure = (error: unknown): OtsFailure => {
  const shape = typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown }) : {};
  const message = typeof shape.message === 'string' ? shape.message : '';
  const httpStatus = typeof shape.code === 'number' ? shape.code : undefined;
  const requestId = /requestId:\s*([\w-]+)/.exec(message)?.[1];
  const fromCode = typeof shape.code === 'string' ? shape.code : undefined;
  let code: string;
  if (fromCode === 'NetworkingError' || fromCode === 'TimeoutError') code = 'NetworkingError';
  else if (fromCode?.startsWith('OTS')) code = fromCode;
  else code = /OTS[A-Z][A-Za-z]*/.exec(message)?.[0] ?? (httpStatus === undefined ? 'TablestoreError' : `HTTP${httpStatus}`);
  return { code, retryable: RETRYABLE_CODES.has(code), httpStatus, requestId };
};

export interface TablestoreCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

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
  | { readonly client: TableStore.Client; readonly tableName?: string | undefined }
  | TablestoreConnection
) & {
  readonly retry?: Partial<TablestoreRetrySettings> | undefined;
  /** Injected so tests never wait out a backoff. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly logger?: Logger | undefined;
};

/**
 * A client for the job store. `maxRetries: 0` because the SDK's retries act on the HTTP status of
 * reads only and the setting is process-wide; the store retries every operation itself.
 */
export const createTablestoreClient = (connection: TablestoreConnection): TableStore.Client =>
  new TableStore.Client({
    endpoint: connection.endpoint,
    instancename: connection.instanceName,
    accessKeyId: connection.credentials.accessKeyId,
    secretAccessKey: connection.credentials.accessKeySecret,
    stsToken: connection.credentials.securityToken,
    maxRetries: 0,
    httpOptions: { timeout: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS },
  });

const int64 = z.custom<TableStore.Int64>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { toNumber?: unknown }).toNumber === 'function',
);
const cellValue = z.union([z.string(), z.number(), z.boolean(), int64, z.instanceof(Buffer)]);
const attributesSchema = z.array(z.object({ columnName: z.string(), columnValue: cellValue }));
const primaryKeySchema = z.array(z.object({ name: z.string(), value: z.unknown() }));
const rowSchema = z.object({ primaryKey: primaryKeySchema.optional(), attributes: attributesSchema.optional() });
const getRowResponse = z.object({ row: rowSchema });
const getRangeResponse = z.object({ rows: z.array(rowSchema), nextStartPrimaryKey: primaryKeySchema.nullish() });
const batchGetResponse = z.object({
  tables: z.array(
    z.array(
      z.object({
        isOk: z.boolean(),
        errorCode: z.string().nullish(),
        errorMessage: z.string().nullish(),
        primaryKey: primaryKeySchema.nullish(),
        attributes: attributesSchema.nullish(),
      }),
    ),
  ),
});
type Columns = ReadonlyMap<string, z.infer<typeof cellValue>>;

const parseResponse = <T>(schema: z.ZodType<T>, raw: unknown, operation: string): T => {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new TerminalError('TablestoreBadResponse', `Tablestore ${operation} answered an unexpected shape`, { cause: parsed.error });
  return parsed.data;
};

const columnsOf = (attributes: z.infer<typeof attributesSchema> | null | undefined): Columns =>
  new Map((attributes ?? []).map((cell) => [cell.columnName, cell.columnValue]));

const conditionFailed = (error: unknown): boolean => error instanceof ReplicationError && error.code === CONDITION_FAILED;
const attemptsOf = (error: unknown): number =>
  error instanceof ReplicationError && typeof error.details.attempts === 'number' ? error.details.attempts : 1;

/** The job as a store hands it back: parsed from its stored form, so every read looks alike. */
const canonical = (job: Job): Job => decodeJob(job.id, encodeJob(job));
const sameJob = (a: Job, b: Job): boolean => encodeJob(canonical(a)) === encodeJob(canonical(b));

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

const { Condition, SingleColumnCondition, Long, RowExistenceExpectation: Existence, ComparatorType } = TableStore;
const versionIs = (comparator: number, version: number, passIfMissing: boolean) =>
  new SingleColumnCondition('version', Long.fromNumber(version), comparator, passIfMissing);

export class TablestoreJobStore implements JobStore {
  readonly #client: TableStore.Client;
  readonly #table: string;
  readonly #retry: TablestoreRetrySettings;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #logger: Logger;

  constructor(options: TablestoreJobStoreOptions) {
    this.#client = 'client' in options ? options.client : createTablestoreClient(options);
    this.#table = options.tableName ?? DEFAULT_JOB_TABLE;
    this.#retry = {
      maxAttempts: options.retry?.maxAttempts ?? TABLESTORE_MAX_ATTEMPTS,
      baseDelayMs: options.retry?.baseDelayMs ?? TABLESTORE_BACKOFF_BASE_MS,
      maxDelayMs: options.retry?.maxDelayMs ?? TABLESTORE_BACKOFF_MAX_MS,
    };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#logger = options.logger ?? silentLogger;
  }

  /** Creates the table (for `setup:cloud`); an existing table is fine. */
  async ensureTable(): Promise<{ created: boolean }> {
    try {
      await this.#call('CreateTable', () =>
        this.#client.createTable({
          tableMeta: { tableName: this.#table, primaryKey: [{ name: 'pk', type: 'STRING' }] },
          reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
          tableOptions: { timeToLive: -1, maxVersions: 1 },
        }),
      );
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
        this.#client.putRow({
          tableName: this.#table,
          condition: new Condition(Existence.EXPECT_NOT_EXIST, null),
          primaryKey: [{ pk: JOB_PREFIX + job.id }],
          attributeColumns: jobColumns(job),
        }),
      );
      return { created: true, job: canonical(job) };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const stored = await this.get(job.id);
      if (!stored) throw new RetryableError('JobStoreInconsistent', `job ${job.id} was reported as existing but is not there`, { cause: error });
      // A retried create whose first answer was lost finds its own row: it did create it.
      if (attemptsOf(error) > 1 && sameJob(stored, job)) return { created: true, job: stored };
      if (!isInFlight(stored)) await this.#settleMarker(stored.id, stored.version);
      return { created: false, job: stored };
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const raw = await this.#call('GetRow', () =>
      this.#client.getRow({ tableName: this.#table, primaryKey: [{ pk: JOB_PREFIX + id }], maxVersions: 1 }),
    );
    const { row } = parseResponse(getRowResponse, raw, 'GetRow');
    return row.primaryKey ? jobFromColumns(id, columnsOf(row.attributes)) : undefined;
  }

  async update(next: Job): Promise<Job> {
    const expected = next.version - 1;
    if (isInFlight(next)) await this.#ensureMarker(next.id, next.version);
    try {
      await this.#call('UpdateRow', () =>
        this.#client.updateRow({
          tableName: this.#table,
          // passIfMissing must be false: the SDK defaults it to true, which lets a row without
          // `version` pass the check and loses the optimistic lock.
          condition: new Condition(Existence.EXPECT_EXIST, versionIs(ComparatorType.EQUAL, expected, false)),
          primaryKey: [{ pk: JOB_PREFIX + next.id }],
          updateOfAttributeColumns: [{ PUT: jobColumns(next) }],
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const stored = attemptsOf(error) > 1 ? await this.get(next.id) : undefined;
      if (!stored || !sameJob(stored, next)) throw new VersionConflictError(next.id, expected, { cause: error });
    }
    if (!isInFlight(next)) await this.#settleMarker(next.id, next.version);
    return canonical(next);
  }

  async listInFlight(): Promise<Job[]> {
    const markers = (await this.#scan(MARKER_PREFIX)).map((columns) => markerFrom(columns));
    const jobs = await this.#getMany(markers.map((marker) => marker.jobId));
    const inFlight: Job[] = [];
    for (const marker of markers) {
      const job = jobs.get(marker.jobId);
      if (job && isInFlight(job)) inFlight.push(job);
      // A finished job's marker is left over from a write that stopped halfway: heal it. A
      // marker without its job may belong to a create in progress, so it stays.
      else if (job) await this.#settleMarker(job.id, job.version);
    }
    return inFlight.sort(byCreation);
  }

  async setAside(id: string, reason: string): Promise<void> {
    const raw = await this.#call('GetRow', () =>
      this.#client.getRow({ tableName: this.#table, primaryKey: [{ pk: JOB_PREFIX + id }], maxVersions: 1 }),
    );
    const { row } = parseResponse(getRowResponse, raw, 'GetRow');
    if (!row.primaryKey) return;
    const columns = columnsOf(row.attributes);
    const body = columns.get('body');
    const at = new Date().toISOString();
    await this.#call('PutRow', () =>
      this.#client.putRow({
        tableName: this.#table,
        condition: new Condition(Existence.IGNORE, null),
        primaryKey: [{ pk: `${ASIDE_PREFIX}${id}:${at}` }],
        attributeColumns: [
          { job_id: id },
          { reason: reason.slice(0, 1024) },
          { at },
          { body: (typeof body === 'string' ? body : JSON.stringify([...columns.keys()])).slice(0, MAX_ASIDE_BODY_CHARS) },
        ],
      }),
    );
    for (const pk of [JOB_PREFIX + id, MARKER_PREFIX + id]) {
      await this.#call('DeleteRow', () =>
        this.#client.deleteRow({ tableName: this.#table, condition: new Condition(Existence.IGNORE, null), primaryKey: [{ pk }] }),
      );
    }
    this.#logger.warn('job row set aside', { jobId: id, reason });
  }

  async listSetAside(): Promise<SetAsideJob[]> {
    return (await this.#scan(ASIDE_PREFIX)).map((columns) => ({
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
      .flatMap((columns) => {
        const id = idFromColumns(columns);
        try {
          return [jobFromColumns(id, columns)];
        } catch (error) {
          // One corrupt row must not stop a sweep or `status`: reported by id and skipped.
          if (!(error instanceof CorruptJobError)) throw error;
          this.#logger.error('skipping a corrupt job row', { jobId: id, error: error.message });
          return [];
        }
      })
      .filter((job) => policy === undefined || job.policy === policy)
      .filter((job) => statuses === undefined || statuses.includes(job.status))
      .sort(byCreation);
  }

  /** Puts the marker at `version` unless a newer one is there; see docs/job-store.md. */
  async #ensureMarker(jobId: string, version: number): Promise<void> {
    const primaryKey = [{ pk: MARKER_PREFIX + jobId }];
    const attributeColumns: TableStore.AttributeColumnsInput = [{ job_id: jobId }, { version: Long.fromNumber(version) }];
    for (let attempt = 1; attempt <= MARKER_ATTEMPTS; attempt += 1) {
      try {
        await this.#call('PutRow', () =>
          this.#client.putRow({
            tableName: this.#table,
            condition: new Condition(Existence.IGNORE, versionIs(ComparatorType.LESS_EQUAL, version, true)),
            primaryKey,
            attributeColumns,
          }),
        );
        return;
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
      // Either a newer marker is there (nothing to do), or the service judged the missing row as
      // failing the condition: then create it outright.
      const current = await this.#markerVersion(jobId);
      if (current !== undefined && current >= version) return;
      if (current === undefined) {
        try {
          await this.#call('PutRow', () =>
            this.#client.putRow({ tableName: this.#table, condition: new Condition(Existence.EXPECT_NOT_EXIST, null), primaryKey, attributeColumns }),
          );
          return;
        } catch (error) {
          if (!conditionFailed(error)) throw error;
        }
      }
    }
    throw new RetryableError('InFlightMarkerContention', `job ${jobId}: could not record it as in flight`);
  }

  /** Deletes the marker unless a write newer than `version` put it back. Best effort: listInFlight heals. */
  async #settleMarker(jobId: string, version: number): Promise<void> {
    try {
      await this.#call('DeleteRow', () =>
        this.#client.deleteRow({
          tableName: this.#table,
          condition: new Condition(Existence.IGNORE, versionIs(ComparatorType.LESS_EQUAL, version, true)),
          primaryKey: [{ pk: MARKER_PREFIX + jobId }],
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) return;
      this.#logger.warn('in-flight marker left behind; listInFlight will remove it', {
        jobId,
        code: error instanceof ReplicationError ? error.code : 'Unexpected',
      });
    }
  }

  async #markerVersion(jobId: string): Promise<number | undefined> {
    const raw = await this.#call('GetRow', () =>
      this.#client.getRow({ tableName: this.#table, primaryKey: [{ pk: MARKER_PREFIX + jobId }], maxVersions: 1 }),
    );
    const { row } = parseResponse(getRowResponse, raw, 'GetRow');
    return row.primaryKey ? markerFrom(columnsOf(row.attributes)).version : undefined;
  }

  async #getMany(ids: readonly string[]): Promise<Map<string, Job>> {
    const jobs = new Map<string, Job>();
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      const chunk = ids.slice(start, start + BATCH_GET_LIMIT);
      const raw = await this.#call('BatchGetRow', async () => {
        const answer = parseResponse(
          batchGetResponse,
          await this.#client.batchGetRow({
            tables: [{ tableName: this.#table, primaryKey: chunk.map((id) => [{ pk: JOB_PREFIX + id }]), maxVersions: 1 }],
          }),
          'BatchGetRow',
        );
        // A row can fail alone (busy partition); fail the batch so it is retried like any call.
        const failed = answer.tables.flat().find((row) => !row.isOk);
        if (failed) throw Object.assign(new Error(failed.errorMessage ?? 'row failed'), { code: failed.errorCode ?? 'TablestoreError' });
        return answer;
      });
      const rows = raw.tables.flat();
      chunk.forEach((id, index) => {
        const row = rows[index];
        if (!row?.primaryKey) return;
        try {
          jobs.set(id, jobFromColumns(id, columnsOf(row.attributes)));
        } catch (error) {
          // One corrupt row must not stop every poll: it is reported and left for an operator.
          if (!(error instanceof CorruptJobError)) throw error;
          this.#logger.error('skipping a corrupt job row', { jobId: id, error: error.message });
        }
      });
    }
    return jobs;
  }

  /** Every row under a key prefix, page by page. */
  async #scan(prefix: string): Promise<Columns[]> {
    const rows: Columns[] = [];
    let start: string | undefined = prefix;
    while (start !== undefined) {
      const from: string = start;
      const raw = await this.#call('GetRange', () =>
        this.#client.getRange({
          tableName: this.#table,
          direction: 'FORWARD',
          inclusiveStartPrimaryKey: [{ pk: from }],
          exclusiveEndPrimaryKey: [{ pk: rangeEnd(prefix) }],
          maxVersions: 1,
        }),
      );
      const page = parseResponse(getRangeResponse, raw, 'GetRange');
      for (const row of page.rows) {
        const key = row.primaryKey?.[0]?.value;
        if (typeof key === 'string') rows.push(new Map([...columnsOf(row.attributes), ['pk', key]]));
      }
      const next = page.nextStartPrimaryKey?.[0]?.value;
      start = typeof next === 'string' ? next : undefined;
    }
    return rows;
  }

  /** One SDK call with bounded exponential backoff on busy/throttled/unreachable; errors leave as ours. */
  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        if (error instanceof ReplicationError) throw error;
        const failure = describeOtsFailure(error);
        if (failure.retryable && attempt < this.#retry.maxAttempts) {
          await this.#sleep(Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1)));
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

const jobColumns = (job: Job): TableStore.AttributeColumnsInput => [
  { version: Long.fromNumber(job.version) },
  { status: job.status },
  { policy: job.policy },
  { created_at: job.createdAt },
  { updated_at: job.updatedAt },
  { body: encodeJob(job) },
];

const idFromColumns = (columns: Columns): string => {
  const key = columns.get('pk');
  return typeof key === 'string' ? key.slice(JOB_PREFIX.length) : '(unknown)';
};

const asInteger = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : int64.safeParse(value).success ? (value as TableStore.Int64).toNumber() : undefined;

const jobFromColumns = (id: string, columns: Columns): Job => {
  const body = columns.get('body');
  if (typeof body !== 'string') throw new CorruptJobError(id, 'body', 'missing or not a string');
  const job = decodeJob(id, body);
  const version = asInteger(columns.get('version'));
  // The column is what conditions check; a body that disagrees would defeat the lock.
  if (version !== job.version) throw new CorruptJobError(id, 'version', `column ${String(version)} but body ${job.version}`);
  return job;
};

const markerFrom = (columns: Columns): { jobId: string; version: number } => {
  const key = columns.get('pk');
  const jobId = columns.get('job_id') ?? (typeof key === 'string' ? key.slice(MARKER_PREFIX.length) : undefined);
  if (typeof jobId !== 'string') throw new CorruptJobError(String(key), 'job_id', 'in-flight marker names no job');
  return { jobId, version: asInteger(columns.get('version')) ?? 0 };
};

const byCreation = (a: Job, b: Job): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
