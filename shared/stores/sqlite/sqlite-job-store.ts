import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, TerminalError, VersionConflictError } from '../../core/domain/errors';
import { type Job, isInFlight } from '../../core/domain/job';
import { type JobListFilter, type JobStore, type JobUpdateOutcome, type SetAsideJob, duplicateIds } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import { CorruptJobError, decodeJob, encodeJob } from '../job-codec';
import { silentLogger } from '../../platform/logging/json-logger';
import * as z from '../../core/zod';

/** Bump with a new entry in MIGRATIONS; a database newer than the code is refused. */
export const SQLITE_SCHEMA_VERSION = 2;

/** The CLI's `status` reads while `run` writes: wait for a writer's lock instead of failing. */
const BUSY_TIMEOUT_MS = 5_000;

const MIGRATIONS: Readonly<Record<number, string>> = {
  1: `
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      policy TEXT NOT NULL,
      in_flight INTEGER NOT NULL CHECK (in_flight IN (0, 1)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      body TEXT NOT NULL
    ) STRICT;
    -- Partial: holds only the jobs in flight, so listInFlight never walks the finished history.
    CREATE INDEX jobs_in_flight ON jobs (created_at, id) WHERE in_flight = 1;
    CREATE INDEX jobs_by_creation ON jobs (created_at, id);
    CREATE INDEX jobs_by_policy ON jobs (policy, created_at, id);
  `,
  // Rows the code could not read, kept for an operator (JobStore.setAside).
  2: `
    CREATE TABLE jobs_set_aside (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      reason TEXT NOT NULL,
      at TEXT NOT NULL,
      body TEXT NOT NULL
    ) STRICT;
  `,
};

const MAX_ASIDE_BODY_CHARS = 64 * 1024;

const rowSchema = z.object({ id: z.string(), body: z.string() });
const versionRowSchema = z.object({ version: z.number().check(z.int()) });

/** The job store on one SQLite file: the local runtime's default. */
export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #logger: Logger;

  /** `location` is a file path (its folder is created), ':memory:', or an open database. */
  constructor(location: string | Database.Database, options: { readonly logger?: Logger | undefined } = {}) {
    this.#logger = options.logger ?? silentLogger;
    if (typeof location === 'string') {
      if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
      this.#db = new Database(location);
      this.#ownsDb = true;
    } else {
      this.#db = location;
      this.#ownsDb = false;
    }
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(this.#db);
    this.#statements = prepare(this.#db);
  }

  async putIfAbsent(job: Job): Promise<{ created: boolean; job: Job }> {
    await Promise.resolve();
    const inserted = this.#statements.insert.run(columns(job));
    if (inserted.changes === 1) return { created: true, job: decodeJob(job.id, encodeJob(job)) };
    const stored = this.#read(job.id);
    if (!stored) throw new Error(`job ${job.id} neither inserted nor found`);
    return { created: false, job: stored };
  }

  async get(id: string): Promise<Job | undefined> {
    await Promise.resolve();
    return this.#read(id);
  }

  async update(next: Job): Promise<Job> {
    await Promise.resolve();
    const result = this.#statements.update.run({ ...columns(next), expected_version: next.version - 1 });
    if (result.changes === 0) throw new VersionConflictError(next.id, next.version - 1);
    return decodeJob(next.id, encodeJob(next));
  }

  /** One IMMEDIATE transaction: each job on its own version condition, all committed together. */
  async updateMany(jobs: readonly Job[]): Promise<JobUpdateOutcome[]> {
    await Promise.resolve();
    const duplicates = duplicateIds(jobs);
    if (duplicates.length > 0) throw new TerminalError('InvalidArgument', `updateMany got job ${duplicates[0]} more than once`);
    return this.#db
      .transaction((): JobUpdateOutcome[] =>
        jobs.map((next) => {
          const result = this.#statements.update.run({ ...columns(next), expected_version: next.version - 1 });
          return result.changes === 0
            ? { id: next.id, status: 'conflict', error: new VersionConflictError(next.id, next.version - 1) }
            : { id: next.id, status: 'stored', job: decodeJob(next.id, encodeJob(next)) };
        }),
      )
      .immediate();
  }

  async listInFlight(): Promise<Job[]> {
    await Promise.resolve();
    return this.#statements.inFlight.all().flatMap((row) => this.#readable(row));
  }

  async setAside(id: string, reason: string): Promise<void> {
    await Promise.resolve();
    this.#db.transaction(() => {
      const row = this.#db.prepare('SELECT CAST(body AS TEXT) AS body FROM jobs WHERE id = ?').get(id) as { body: string | null } | undefined;
      if (row === undefined) return;
      this.#db
        .prepare('INSERT INTO jobs_set_aside (id, reason, at, body) VALUES (?, ?, ?, ?)')
        .run(id, reason.slice(0, 1024), new Date().toISOString(), (row.body ?? '').slice(0, MAX_ASIDE_BODY_CHARS));
      this.#db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
    }).immediate();
    this.#logger.warn('job row set aside', { jobId: id, reason });
  }

  async listSetAside(): Promise<SetAsideJob[]> {
    await Promise.resolve();
    return z.parse(
      z.array(z.object({ id: z.string(), reason: z.string(), at: z.string(), body: z.string() })),
      this.#db.prepare('SELECT id, reason, at, body FROM jobs_set_aside ORDER BY seq').all(),
    );
  }

  /** One corrupt row must not stop a poll, a sweep or `status`: it is reported by id and skipped. */
  #readable(row: unknown): Job[] {
    try {
      return [toJob(row)];
    } catch (error) {
      if (!(error instanceof CorruptJobError)) throw error;
      this.#logger.error('skipping a corrupt job row', { jobId: error.details.jobId, error: error.message });
      return [];
    }
  }

  async list(filter: JobListFilter = {}): Promise<Job[]> {
    await Promise.resolve();
    const rows = filter.policy === undefined ? this.#statements.all.all() : this.#statements.byPolicy.all(filter.policy);
    const jobs = rows.flatMap((row) => this.#readable(row));
    const { statuses } = filter;
    return statuses === undefined ? jobs : jobs.filter((job) => statuses.includes(job.status));
  }

  /** Closes the database when this store opened it. */
  async close(): Promise<void> {
    await Promise.resolve();
    if (this.#ownsDb) this.#db.close();
  }

  #read(id: string): Job | undefined {
    const row: unknown = this.#statements.get.get(id);
    return row === undefined ? undefined : toJob(row);
  }
}

const toJob = (row: unknown): Job => {
  const { id, body } = z.parse(rowSchema, row);
  return decodeJob(id, body);
};

const columns = (job: Job) => ({
  id: job.id,
  version: job.version,
  status: job.status,
  policy: job.policy,
  in_flight: isInFlight(job) ? 1 : 0,
  created_at: job.createdAt,
  updated_at: job.updatedAt,
  body: encodeJob(job),
});

const ORDER = 'ORDER BY created_at, id';

const prepare = (db: Database.Database) => ({
  insert: db.prepare(
    `INSERT INTO jobs (id, version, status, policy, in_flight, created_at, updated_at, body)
     VALUES (@id, @version, @status, @policy, @in_flight, @created_at, @updated_at, @body)
     ON CONFLICT (id) DO NOTHING`,
  ),
  update: db.prepare(
    `UPDATE jobs SET version = @version, status = @status, policy = @policy, in_flight = @in_flight,
       created_at = @created_at, updated_at = @updated_at, body = @body
     WHERE id = @id AND version = @expected_version`,
  ),
  get: db.prepare('SELECT id, body FROM jobs WHERE id = ?'),
  inFlight: db.prepare(`SELECT id, body FROM jobs WHERE in_flight = 1 ${ORDER}`),
  all: db.prepare(`SELECT id, body FROM jobs ${ORDER}`),
  byPolicy: db.prepare(`SELECT id, body FROM jobs WHERE policy = ? ${ORDER}`),
});

/** Applies the missing migrations in one transaction; safe to run from every process that opens the file. */
const migrate = (db: Database.Database): void => {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT');
    const row: unknown = db.prepare('SELECT version FROM schema_version').get();
    const current = row === undefined ? 0 : z.parse(versionRowSchema, row).version;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new ConfigError(
        `the job database has schema version ${current}; this build understands up to ${SQLITE_SCHEMA_VERSION}`,
      );
    }
    for (let version = current + 1; version <= SQLITE_SCHEMA_VERSION; version += 1) {
      const script = MIGRATIONS[version];
      if (script === undefined) throw new Error(`no migration to schema version ${version}`);
      db.exec(script);
    }
    if (current === 0) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
    else if (current < SQLITE_SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION);
  }).immediate();
};
