import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/domain/clock';
import { ConfigError, TerminalError } from '../../core/domain/errors';
import type { MessageQueue, QueueConsumer, ReceivedMessage } from '../../core/ports/message-queue';
import * as z from '../../core/zod';

/**
 * The cloud's limits, kept here too so that what works locally works on MNS. The body limit is
 * MNS's 64 KB after the base64 encoding the MNS adapter applies.
 */
export const EMBEDDED_MAX_BODY_BYTES = 49_152;
export const EMBEDDED_MAX_DELAY_SECONDS = 604_800;
export const EMBEDDED_MAX_VISIBILITY_SECONDS = 43_200;
/** How long a write waits for the other process (CLI `status` next to `run`) to finish its own. */
export const EMBEDDED_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteMessageQueueOptions {
  readonly clock: Clock;
  /** A message received this many times is dead-lettered instead of being delivered again. */
  readonly maxReceives: number;
  /** Defaults to `<queueName>-dead-letter`. */
  readonly deadLetterQueue?: string | undefined;
  readonly maxBodyBytes?: number | undefined;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly dequeueCount: number;
  readonly reason: string;
  readonly enqueuedAt: Date;
  readonly deadLetteredAt: Date;
}

export interface QueueStats {
  readonly visible: number;
  /** Received and not yet acknowledged, still within their visibility timeout. */
  readonly inFlight: number;
  /** Sent with a delay or put back with retryLater, not yet visible. */
  readonly delayed: number;
  readonly deadLettered: number;
}

export const DeadLetterReason = {
  maxReceivesExceeded: 'MaxReceivesExceeded',
  /** A row this code cannot read (a hand edit, a foreign writer): set aside so the rest of the queue goes on. */
  corruptRow: 'CorruptQueueRow',
} as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mq_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  dequeue_count INTEGER NOT NULL DEFAULT 0,
  receipt_handle TEXT UNIQUE,
  dead_letter_source TEXT,
  dead_letter_reason TEXT,
  dead_lettered_at INTEGER
);
CREATE INDEX IF NOT EXISTS mq_messages_by_visibility ON mq_messages (queue, visible_at, seq);
CREATE INDEX IF NOT EXISTS mq_messages_by_source ON mq_messages (dead_letter_source, queue);
`;

const candidateRow = z.object({
  seq: z.number().check(z.int()),
  message_id: z.string(),
  body: z.string(),
  enqueued_at: z.number().check(z.int()),
  dequeue_count: z.number().check(z.int()),
});
const seqRow = z.object({ seq: z.number().check(z.int()) });
const deadLetterRow = z.object({
  message_id: z.string(),
  body: z.string(),
  dequeue_count: z.number().check(z.int()),
  dead_letter_reason: z.string(),
  enqueued_at: z.number().check(z.int()),
  dead_lettered_at: z.number().check(z.int()),
});
const statsRow = z.object({
  visible: z.nullable(z.number().check(z.int())),
  in_flight: z.nullable(z.number().check(z.int())),
  delayed: z.nullable(z.number().check(z.int())),
  dead_lettered: z.number().check(z.int()),
});

const staleHandle = (queue: string): TerminalError =>
  new TerminalError('ReceiptHandleInvalid', `receipt handle is stale or unknown on queue ${queue}`, { details: { queue } });

const invalidArgument = (message: string): TerminalError => new TerminalError('InvalidArgument', message);

const requireInt = (value: number, min: number, max: number, what: string): number => {
  if (!Number.isInteger(value) || value < min || value > max) throw invalidArgument(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
};

/** better-sqlite3 is synchronous; the ports are not. Failures become rejections, never throws. */
const settle = <T>(work: () => T): Promise<T> => {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
};

/**
 * The local runtime's stand-in for an MNS queue, with MNS's semantics: delays, visibility
 * timeouts, a fresh receipt handle per receive, and a dead-letter queue after `maxReceives`.
 * Several named queues share one SQLite file; receives run in IMMEDIATE transactions so two
 * processes on the same file never take the same message.
 */
export class SqliteMessageQueue implements MessageQueue, QueueConsumer {
  readonly queueName: string;
  readonly deadLetterQueue: string;
  readonly #db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #clock: Clock;
  readonly #maxReceives: number;
  readonly #maxBodyBytes: number;
  readonly #receiveTransaction: (max: number, visibilitySeconds: number) => ReceivedMessage[];

  constructor(db: Database.Database | string, queueName: string, options: SqliteMessageQueueOptions) {
    if (!Number.isInteger(options.maxReceives) || options.maxReceives < 1) throw new ConfigError('maxReceives must be a positive integer');
    this.queueName = queueName;
    this.deadLetterQueue = options.deadLetterQueue ?? `${queueName}-dead-letter`;
    // MNS refuses this too, and it would turn dead-lettering into an endless redelivery.
    if (this.deadLetterQueue === queueName) throw new ConfigError(`queue ${queueName} cannot be its own dead-letter queue`);
    this.#clock = options.clock;
    this.#maxReceives = options.maxReceives;
    this.#maxBodyBytes = options.maxBodyBytes ?? EMBEDDED_MAX_BODY_BYTES;
    this.#ownsDb = typeof db === 'string';
    this.#db = typeof db === 'string' ? new Database(db) : db;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`busy_timeout = ${EMBEDDED_BUSY_TIMEOUT_MS}`);
    this.#db.exec(SCHEMA);
    const receive = this.#db.transaction((max: number, visibilitySeconds: number) => this.#receiveNow(max, visibilitySeconds));
    this.#receiveTransaction = (max, visibilitySeconds) => receive.immediate(max, visibilitySeconds);
  }

  send(body: string, options: { readonly delaySeconds?: number | undefined } = {}): Promise<{ readonly messageId: string }> {
    return settle(() => {
      const size = Buffer.byteLength(body, 'utf8');
      if (size > this.#maxBodyBytes) {
        throw new TerminalError('MessageTooLarge', `message body of ${size} bytes exceeds ${this.#maxBodyBytes} bytes`, { details: { queue: this.queueName } });
      }
      const delay = requireInt(options.delaySeconds ?? 0, 0, EMBEDDED_MAX_DELAY_SECONDS, 'delaySeconds');
      const now = this.#now();
      const messageId = randomUUID();
      this.#db
        .prepare('INSERT INTO mq_messages (queue, message_id, body, enqueued_at, visible_at) VALUES (?, ?, ?, ?, ?)')
        .run(this.queueName, messageId, body, now, now + delay * 1000);
      return { messageId };
    });
  }

  receive(max: number, visibilitySeconds: number): Promise<ReceivedMessage[]> {
    return settle(() => {
      requireInt(visibilitySeconds, 1, EMBEDDED_MAX_VISIBILITY_SECONDS, 'visibilitySeconds');
      const count = Math.floor(max);
      return count >= 1 ? this.#receiveTransaction(count, visibilitySeconds) : [];
    });
  }

  ack(receiptHandle: string): Promise<void> {
    return settle(() => {
      const { changes } = this.#db.prepare('DELETE FROM mq_messages WHERE queue = ? AND receipt_handle = ?').run(this.queueName, receiptHandle);
      if (changes === 0) throw staleHandle(this.queueName);
    });
  }

  /** The handle is spent afterwards, as MNS's ChangeMessageVisibility spends it. */
  retryLater(receiptHandle: string, seconds: number): Promise<void> {
    return settle(() => {
      const delay = requireInt(seconds, 0, EMBEDDED_MAX_VISIBILITY_SECONDS, 'seconds');
      const { changes } = this.#db
        .prepare('UPDATE mq_messages SET visible_at = ?, receipt_handle = NULL WHERE queue = ? AND receipt_handle = ?')
        .run(this.#now() + delay * 1000, this.queueName, receiptHandle);
      if (changes === 0) throw staleHandle(this.queueName);
    });
  }

  /** For a message that can never succeed (malformed): set aside now rather than after maxReceives. */
  deadLetter(receiptHandle: string, reason: string): Promise<void> {
    return settle(() => {
      const row = this.#db.prepare('SELECT seq FROM mq_messages WHERE queue = ? AND receipt_handle = ?').get(this.queueName, receiptHandle) as { seq: number } | undefined;
      if (!row) throw staleHandle(this.queueName);
      this.#moveToDeadLetter(row.seq, reason);
    });
  }

  stats(): Promise<QueueStats> {
    return settle(() => {
      const row = z.parse(
        statsRow,
        this.#db
          .prepare(
            `SELECT
               SUM(CASE WHEN queue = @queue AND visible_at <= @now THEN 1 ELSE 0 END) AS visible,
               SUM(CASE WHEN queue = @queue AND visible_at > @now AND receipt_handle IS NOT NULL THEN 1 ELSE 0 END) AS in_flight,
               SUM(CASE WHEN queue = @queue AND visible_at > @now AND receipt_handle IS NULL THEN 1 ELSE 0 END) AS delayed,
               (SELECT COUNT(*) FROM mq_messages WHERE dead_letter_source = @queue AND queue = @dlq) AS dead_lettered
             FROM mq_messages WHERE queue = @queue`,
          )
          .get({ queue: this.queueName, dlq: this.deadLetterQueue, now: this.#now() }),
      );
      return { visible: row.visible ?? 0, inFlight: row.in_flight ?? 0, delayed: row.delayed ?? 0, deadLettered: row.dead_lettered };
    });
  }

  /** When the next message becomes visible (now, if one is): what an event-driven loop waits for. Undefined when empty. */
  nextVisibleAt(): Promise<Date | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT MIN(visible_at) AS at FROM mq_messages WHERE queue = ?').get(this.queueName) as { at: number | null } | undefined;
      return typeof row?.at === 'number' ? new Date(row.at) : undefined;
    });
  }

  /** The messages this queue dead-lettered that are still in its dead-letter queue, oldest first. */
  listDeadLetters(): Promise<DeadLetter[]> {
    return settle(() =>
      this.#db
        .prepare(
          `SELECT message_id, body, dequeue_count, dead_letter_reason, enqueued_at, dead_lettered_at
           FROM mq_messages WHERE dead_letter_source = ? AND queue = ? ORDER BY dead_lettered_at, seq`,
        )
        .all(this.queueName, this.deadLetterQueue)
        // A row set aside because it could not be read cannot be listed as a letter either.
        .flatMap((raw) => {
          const parsed = z.safeParse(deadLetterRow, raw);
          if (!parsed.success) return [];
          const row = parsed.data;
          return {
            messageId: row.message_id,
            body: row.body,
            dequeueCount: row.dequeue_count,
            reason: row.dead_letter_reason,
            enqueuedAt: new Date(row.enqueued_at),
            deadLetteredAt: new Date(row.dead_lettered_at),
          };
        }),
    );
  }

  /**
   * Puts a dead letter back on this queue, visible now. Its receive count starts again from zero,
   * or the next receive would dead-letter it straight away.
   */
  redrive(messageId: string): Promise<void> {
    return settle(() => {
      const { changes } = this.#db
        .prepare(
          `UPDATE mq_messages SET queue = @queue, visible_at = @now, dequeue_count = 0, receipt_handle = NULL,
             dead_letter_source = NULL, dead_letter_reason = NULL, dead_lettered_at = NULL
           WHERE message_id = @messageId AND queue = @dlq AND dead_letter_source = @queue`,
        )
        .run({ queue: this.queueName, dlq: this.deadLetterQueue, now: this.#now(), messageId });
      if (changes === 0) {
        throw new TerminalError('DeadLetterNotFound', `no dead letter ${messageId} from queue ${this.queueName}`, { details: { queue: this.queueName, messageId } });
      }
    });
  }

  /** Closes the database only if this queue opened it. */
  close(): void {
    if (this.#ownsDb) this.#db.close();
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #receiveNow(max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.#now();
    // A row whose visible_at is not a number would never become visible and would keep the queue
    // looking busy forever: it is taken like a visible one, and set aside below.
    const next = this.#db.prepare(
      `SELECT seq, message_id, body, enqueued_at, dequeue_count FROM mq_messages
       WHERE queue = ? AND (visible_at <= ? OR typeof(visible_at) <> 'integer') ORDER BY visible_at, seq LIMIT 1`,
    );
    const take = this.#db.prepare('UPDATE mq_messages SET dequeue_count = ?, visible_at = ?, receipt_handle = ? WHERE seq = ?');
    const received: ReceivedMessage[] = [];
    while (received.length < max) {
      const raw = next.get(this.queueName, now);
      if (raw === undefined) break;
      const parsed = z.safeParse(candidateRow, raw);
      if (!parsed.success) {
        // One unreadable row must not fail every receive after it: it goes to the dead-letter queue.
        this.#moveToDeadLetter(z.parse(seqRow, raw).seq, DeadLetterReason.corruptRow);
        continue;
      }
      const row = parsed.data;
      if (row.dequeue_count >= this.#maxReceives) {
        this.#moveToDeadLetter(row.seq, DeadLetterReason.maxReceivesExceeded);
        continue;
      }
      const receiptHandle = randomUUID();
      const dequeueCount = row.dequeue_count + 1;
      take.run(dequeueCount, now + visibilitySeconds * 1000, receiptHandle, row.seq);
      received.push({ messageId: row.message_id, receiptHandle, body: row.body, dequeueCount, enqueuedAt: new Date(row.enqueued_at) });
    }
    return received;
  }

  #moveToDeadLetter(seq: number, reason: string): void {
    const now = this.#now();
    this.#db
      .prepare(
        `UPDATE mq_messages SET queue = @dlq, visible_at = @now, receipt_handle = NULL,
           dead_letter_source = @queue, dead_letter_reason = @reason, dead_lettered_at = @now
         WHERE seq = @seq`,
      )
      .run({ dlq: this.deadLetterQueue, queue: this.queueName, reason, now, seq });
  }
}
