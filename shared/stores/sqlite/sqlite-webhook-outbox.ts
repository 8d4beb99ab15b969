import type Database from 'better-sqlite3';
import { InvalidInputError } from '../../core/domain/errors';
import { MAX_OUTBOX_BODY_BYTES, type StoredOutbox, type WebhookOutboxStore } from '../../core/ports/webhook-outbox';
import * as z from '../../core/zod';

/**
 * Chat webhook outboxes in the local runtime's SQLite file, beside the jobs. Its own table,
 * created if missing, so it needs no step in the job table's schema versions; every process
 * that opens the file (run, status, serve) may create it.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_outbox (
  key TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
`;

const row = z.object({ key: z.string(), version: z.number().check(z.int(), z.positive()), body: z.string() });

export class SqliteWebhookOutbox implements WebhookOutboxStore {
  readonly #statements: ReturnType<typeof prepare>;

  /** An open database: the local runtime's, so one file holds jobs, queues and outboxes. */
  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.#statements = prepare(db);
  }

  async read(key: string): Promise<StoredOutbox | undefined> {
    const found: unknown = this.#statements.get.get(key);
    return found === undefined ? undefined : z.parse(row, found);
  }

  async write(key: string, body: string, expectedVersion: number): Promise<StoredOutbox | undefined> {
    if (Buffer.byteLength(body) > MAX_OUTBOX_BODY_BYTES) throw new InvalidInputError(`an outbox document of more than ${MAX_OUTBOX_BODY_BYTES} bytes`);
    const version = expectedVersion + 1;
    // One statement each way: the row's version is the lock, as a Tablestore column condition would be.
    const result =
      expectedVersion === 0
        ? this.#statements.insert.run({ key, version, body })
        : this.#statements.update.run({ key, version, body, expected: expectedVersion });
    return result.changes === 1 ? { key, version, body } : undefined;
  }
}

const prepare = (db: Database.Database) => ({
  get: db.prepare('SELECT key, version, body FROM webhook_outbox WHERE key = ?'),
  insert: db.prepare('INSERT INTO webhook_outbox (key, version, body) VALUES (@key, @version, @body) ON CONFLICT (key) DO NOTHING'),
  update: db.prepare('UPDATE webhook_outbox SET version = @version, body = @body WHERE key = @key AND version = @expected'),
});
