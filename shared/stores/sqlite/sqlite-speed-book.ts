import type Database from 'better-sqlite3';
import { type CopySpeeds, decodeCopySpeeds, encodeCopySpeeds } from '../../core/domain/copy-speed';
import type { SpeedBook } from '../../core/ports/speed-book';
import * as z from '../../core/zod';

/**
 * Observed copy speeds in the local runtime's SQLite file, one row per provider account. Its own
 * table, created if missing (as the outboxes'), so it needs no step in the job table's schema.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS copy_speeds (
  scope TEXT PRIMARY KEY,
  body TEXT NOT NULL
) STRICT;
`;

const row = z.object({ body: z.string() });

export class SqliteSpeedBook implements SpeedBook {
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.#get = db.prepare('SELECT body FROM copy_speeds WHERE scope = ?');
    this.#put = db.prepare('INSERT INTO copy_speeds (scope, body) VALUES (@scope, @body) ON CONFLICT (scope) DO UPDATE SET body = excluded.body');
  }

  async readSpeeds(scope: string): Promise<CopySpeeds> {
    const found = z.safeParse(row, this.#get.get(scope));
    return found.success ? decodeCopySpeeds(found.data.body) : {};
  }

  async writeSpeeds(scope: string, speeds: CopySpeeds): Promise<void> {
    this.#put.run({ scope, body: encodeCopySpeeds(speeds) });
  }
}
