import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { DeadLetterReason, SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';

const open = () => {
  const db = new Database(':memory:');
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  return { db, queue: new SqliteMessageQueue(db, 'work', { clock, maxReceives: 3, deadLetterQueue: 'dlq' }) };
};

describe('the SQLite queue with a row it cannot read', () => {
  it.each([
    ['a body stored as bytes', "UPDATE mq_messages SET body = X'00ff' WHERE message_id = ?"],
    ['a receive count that is text', "UPDATE mq_messages SET dequeue_count = 'many' WHERE message_id = ?"],
  ])('sets %s aside on its dead-letter queue and delivers the rest', async (_what, corrupt) => {
    // Prepare
    const { db, queue } = open();
    const bad = await queue.send('{"n":1}');
    await queue.send('{"n":2}');
    db.prepare(corrupt).run(bad.messageId);
    // Act
    const received = await queue.receive(10, 30);
    const stats = await queue.stats();
    // Assess
    expect(received.map((m) => m.body)).toEqual(['{"n":2}']);
    expect(stats).toMatchObject({ visible: 0, delayed: 0, deadLettered: 1 });
    const row = db.prepare('SELECT queue, dead_letter_reason AS reason FROM mq_messages WHERE message_id = ?').get(bad.messageId);
    expect(row).toEqual({ queue: 'dlq', reason: DeadLetterReason.corruptRow });
    expect(await queue.listDeadLetters()).toEqual([]);
  });

  it('delivers a message whose visibility time is unreadable instead of looking busy forever', async () => {
    // Prepare
    const { db, queue } = open();
    const odd = await queue.send('{"n":1}');
    db.prepare("UPDATE mq_messages SET visible_at = 'soon' WHERE message_id = ?").run(odd.messageId);
    // Act
    const received = await queue.receive(10, 30);
    await queue.ack(received[0]?.receiptHandle ?? '');
    // Assess
    expect(received.map((m) => m.messageId)).toEqual([odd.messageId]);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
