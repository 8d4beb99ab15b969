import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageState } from '../../shared/core/domain/image';
import { newJob } from '../../shared/core/domain/job-transitions';
import { CorruptJobError } from '../../shared/stores/job-codec';
import { createJsonLogger } from '../../shared/platform/logging/json-logger';
import { SQLITE_SCHEMA_VERSION, SqliteJobStore } from '../../shared/stores/sqlite/sqlite-job-store';
import { describeJobStoreContract } from './job-store.contract';

const tempDirs: string[] = [];
const tempFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'job-store-'));
  tempDirs.push(dir);
  return join(dir, '.image-replicator', 'jobs.db');
};
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const job = (id: string) =>
  newJob(
    id,
    {
      policy: 'nightly',
      provider: 'alibaba',
      account: 'default',
      source: { region: 'cn-hangzhou', imageId: 'm-1', imageName: 'golden' },
      destination: { region: 'cn-shanghai', imageName: 'golden', tags: {} },
      copyTimeoutSeconds: 60,
      maxAttempts: 1,
      webhooks: [],
    },
    ImageState.Available,
    new Date('2026-01-01T00:00:00Z'),
  );

const corrupter = (db: Database.Database) => async (id: string) => {
  await Promise.resolve();
  db.prepare(`UPDATE jobs SET body = json_set(body, '$.status', 'exploded') WHERE id = ?`).run(id);
};

describeJobStoreContract('SQLite :memory:', async () => {
  const db = new Database(':memory:');
  const store = new SqliteJobStore(db);
  return Promise.resolve({ store, corrupt: corrupter(db), close: async () => void db.close() });
});

describeJobStoreContract('SQLite temp file', async () => {
  const file = tempFile();
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  const store = new SqliteJobStore(db);
  return Promise.resolve({ store, corrupt: corrupter(db), close: async () => void db.close() });
});

describe('SqliteJobStore', () => {
  it('answers listInFlight from the partial index of in-flight rows only', async () => {
    // Prepare
    const db = new Database(':memory:');
    const store = new SqliteJobStore(db);

    // Act
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT id, body FROM jobs WHERE in_flight = 1 ORDER BY created_at, id')
      .all() as { detail: string }[];
    const index = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs_in_flight'").get() as { sql: string };

    // Assess
    expect(plan.map((step) => step.detail).join('\n')).toContain('USING INDEX jobs_in_flight');
    expect(index.sql).toMatch(/WHERE in_flight = 1$/);
    await store.close();
    db.close();
  });

  it('lets a second connection read while another holds the write lock, in WAL mode', async () => {
    // Prepare
    const path = tempFile();
    const writer = new SqliteJobStore(path);
    await writer.putIfAbsent(job('job-1'));
    const writerDb = new Database(path);
    const reader = new SqliteJobStore(path);

    // Act
    writerDb.exec('BEGIN IMMEDIATE');
    writerDb.prepare("UPDATE jobs SET status = 'failed' WHERE id = 'job-1'").run();
    const seenDuringWrite = await reader.list();
    writerDb.exec('ROLLBACK');

    // Assess
    expect(writerDb.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(seenDuringWrite.map((j) => j.status)).toEqual(['queued']);
    await Promise.all([writer.close(), reader.close()]);
    writerDb.close();
  });

  it('creates its schema idempotently and records the schema version', async () => {
    // Prepare
    const path = tempFile();
    await new SqliteJobStore(path).close();

    // Act
    const reopened = new SqliteJobStore(path);
    await reopened.putIfAbsent(job('job-1'));
    await reopened.close();
    const db = new Database(path);

    // Assess
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    db.close();
  });

  it('refuses a database written by a newer schema', () => {
    // Prepare
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT; INSERT INTO schema_version VALUES (99)');

    // Act
    const open = () => new SqliteJobStore(db);

    // Assess
    expect(open).toThrow(/schema version 99/);
    db.close();
  });

  it('names the job and the field when a stored row is corrupt', async () => {
    // Prepare
    const db = new Database(':memory:');
    const store = new SqliteJobStore(db);
    await store.putIfAbsent(job('job-1'));
    db.prepare(`UPDATE jobs SET body = json_set(body, '$.status', 'exploded') WHERE id = 'job-1'`).run();

    // Act
    const read = store.get('job-1');

    // Assess
    await expect(read).rejects.toBeInstanceOf(CorruptJobError);
    await expect(read).rejects.toThrow(/job-1.*status/);
    db.close();
  });

  it('lists the other jobs in flight past a corrupt row, and reports it', async () => {
    // Prepare
    const db = new Database(':memory:');
    const lines: string[] = [];
    const store = new SqliteJobStore(db, { logger: createJsonLogger({ sink: (line) => lines.push(line) }) });
    await store.putIfAbsent(job('job-1'));
    await store.putIfAbsent(job('job-2'));
    db.prepare(`UPDATE jobs SET body = json_set(body, '$.status', 'exploded') WHERE id = 'job-1'`).run();

    // Act
    const inFlight = await store.listInFlight();

    // Assess
    expect(inFlight.map((j) => j.id)).toEqual(['job-2']);
    expect(lines.join('\n')).toMatch(/skipping a corrupt job row.*job-1/);
    db.close();
  });
});
