import type Database from 'better-sqlite3';
import { z } from 'zod';
import { DEAD_LETTER_OVERFLOW_QUEUE, QueueName } from './local-runtime';

/**
 * The local dead-letter queue read as an operator reads MNS's with PeekMessage: without receiving,
 * so listing changes nothing. It reads the rows as text whatever their bytes, because a row that
 * could not be read is exactly what ends here.
 */
const Row = z.object({
  message_id: z.string().nullable(),
  body: z.string().nullable(),
  receives: z.number().nullable(),
  source: z.string().nullable(),
  reason: z.string().nullable(),
  at: z.number().nullable(),
});

export interface LocalDeadLetterRow {
  readonly messageId: string;
  readonly body: string;
  readonly receives: number;
  readonly at: Date;
  /** The queue that moved it there and why; absent for a letter a handler sent. */
  readonly movedFrom?: { readonly queue: string; readonly reason: string } | undefined;
}

const DEAD_LETTER_QUEUES = [QueueName.DeadLetters, DEAD_LETTER_OVERFLOW_QUEUE];

export const listLocalDeadLetters = (db: Database.Database): LocalDeadLetterRow[] =>
  db
    .prepare(
      `SELECT CAST(message_id AS TEXT) AS message_id, CAST(body AS TEXT) AS body,
         CAST(dequeue_count AS INTEGER) AS receives, CAST(dead_letter_source AS TEXT) AS source,
         CAST(dead_letter_reason AS TEXT) AS reason, CAST(COALESCE(dead_lettered_at, enqueued_at) AS INTEGER) AS at
       FROM mq_messages WHERE queue IN (?, ?) ORDER BY seq`,
    )
    .all(...DEAD_LETTER_QUEUES)
    .map((raw) => Row.parse(raw))
    .map((row) => ({
      messageId: row.message_id ?? '',
      body: row.body ?? '',
      receives: row.receives ?? 0,
      at: new Date(row.at ?? 0),
      movedFrom: row.source === null ? undefined : { queue: row.source, reason: row.reason ?? 'unknown' },
    }));

/** Removes one dead letter for good. */
export const dropLocalDeadLetter = (db: Database.Database, messageId: string): boolean =>
  db.prepare('DELETE FROM mq_messages WHERE CAST(message_id AS TEXT) = ? AND queue IN (?, ?)').run(messageId, ...DEAD_LETTER_QUEUES).changes > 0;
