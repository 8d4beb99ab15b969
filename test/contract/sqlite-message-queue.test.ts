import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeadLetterReason, EMBEDDED_MAX_BODY_BYTES, SqliteMessageQueue, type SqliteMessageQueueOptions } from '../../shared/stores/sqlite/sqlite-message-queue';
import { ManualClock, systemClock } from '../../shared/core/domain/clock';
import { ReplicationError } from '../../shared/core/domain/errors';
import { describeMessageQueueContract } from './message-queue.contract';

const repoRoot = resolve(__dirname, '../..');

describeMessageQueueContract(
  'embedded SQLite queue',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-contract-'));
    const clock = new ManualClock();
    const queue = new SqliteMessageQueue(join(dir, 'queues.db'), 'start-copy', { clock, maxReceives: 10 });
    return Promise.resolve({
      producer: queue,
      consumer: queue,
      advance: (seconds: number) => clock.advance(seconds * 1000),
      close: () => {
        queue.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  },
  { maxBodyBytes: EMBEDDED_MAX_BODY_BYTES },
);

describe('SqliteMessageQueue (embedded only)', () => {
  let dir: string;
  let clock: ManualClock;
  const opened: { close(): void }[] = [];

  const open = (queueName = 'start-copy', options: Partial<SqliteMessageQueueOptions> = {}, db: Database.Database | string = join(dir, 'queues.db')): SqliteMessageQueue => {
    const queue = new SqliteMessageQueue(db, queueName, { clock, maxReceives: 3, ...options });
    opened.push(queue);
    return queue;
  };

  const codeOf = async (promise: Promise<unknown>): Promise<string> => {
    const error: unknown = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ReplicationError);
    return (error as ReplicationError).code;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mq-embedded-'));
    clock = new ManualClock();
  });

  afterEach(() => {
    for (const queue of opened.splice(0)) queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves a message received maxReceives times to the dead-letter queue instead of delivering it again', async () => {
    // Prepare
    const queue = open('start-copy', { maxReceives: 2 });
    const { messageId } = await queue.send('{"poison":true}');
    for (let receive = 0; receive < 2; receive += 1) {
      expect(await queue.receive(1, 10)).toHaveLength(1);
      clock.advance(10_000);
    }

    // Act
    const third = await queue.receive(1, 10);

    // Assess
    expect(third).toEqual([]);
    const deadLetters = await queue.listDeadLetters();
    expect(deadLetters).toEqual([
      expect.objectContaining({ messageId, body: '{"poison":true}', dequeueCount: 2, reason: DeadLetterReason.maxReceivesExceeded }),
    ]);
    expect((await queue.stats()).deadLettered).toBe(1);
  });

  it('skips a dead-lettered message and still fills the batch with the next visible ones', async () => {
    // Prepare
    const queue = open('start-copy', { maxReceives: 1 });
    await queue.send('poison');
    expect(await queue.receive(1, 10)).toHaveLength(1);
    clock.advance(10_000);
    await queue.send('good-1');
    await queue.send('good-2');

    // Act
    const received = await queue.receive(3, 10);

    // Assess
    expect(received.map((message) => message.body)).toEqual(['good-1', 'good-2']);
    expect((await queue.listDeadLetters()).map((letter) => letter.body)).toEqual(['poison']);
  });

  it('puts dead letters on a queue that a consumer of the dead-letter queue can receive', async () => {
    // Prepare
    const queue = open('notify', { maxReceives: 1, deadLetterQueue: 'notify-dlq' });
    const dlq = open('notify-dlq');
    await queue.send('undeliverable');
    const received = await queue.receive(1, 10);

    // Act
    await queue.deadLetter(received[0]!.receiptHandle, 'MalformedMessage');
    const fromDlq = await dlq.receive(10, 10);

    // Assess
    expect(fromDlq.map((message) => message.body)).toEqual(['undeliverable']);
  });

  it('dead-letters a message explicitly with its reason and lets an operator redrive it', async () => {
    // Prepare
    const queue = open();
    const { messageId } = await queue.send('{"version":99}');
    const received = await queue.receive(1, 10);
    await queue.deadLetter(received[0]!.receiptHandle, 'InvalidInput: unknown version');
    const afterDeadLetter = await queue.receive(1, 10);
    const letters = await queue.listDeadLetters();

    // Act
    await queue.redrive(messageId);
    const redelivered = await queue.receive(1, 10);

    // Assess
    expect(afterDeadLetter).toEqual([]);
    expect(letters).toEqual([expect.objectContaining({ messageId, reason: 'InvalidInput: unknown version', dequeueCount: 1 })]);
    expect(redelivered).toEqual([expect.objectContaining({ messageId, body: '{"version":99}', dequeueCount: 1 })]);
    expect(await queue.listDeadLetters()).toEqual([]);
  });

  it('rejects deadLetter with a stale handle and redrive of an unknown message', async () => {
    // Prepare
    const queue = open();
    await queue.send('work');
    const received = await queue.receive(1, 10);
    await queue.ack(received[0]!.receiptHandle);

    // Act
    const deadLetterCode = await codeOf(queue.deadLetter(received[0]!.receiptHandle, 'late'));
    const redriveCode = await codeOf(queue.redrive('no-such-message'));

    // Assess
    expect([deadLetterCode, redriveCode]).toEqual(['ReceiptHandleInvalid', 'DeadLetterNotFound']);
  });

  it('counts visible, in-flight, delayed and dead-lettered messages', async () => {
    // Prepare
    const queue = open('start-copy', { maxReceives: 1 });
    await queue.send('will-be-dead');
    await queue.deadLetter((await queue.receive(1, 10))[0]!.receiptHandle, 'bad');
    await queue.send('in-flight');
    await queue.receive(1, 60);
    await queue.send('delayed', { delaySeconds: 300 });
    await queue.send('backed-off');
    await queue.retryLater((await queue.receive(1, 60))[0]!.receiptHandle, 120);
    await queue.send('visible-1');
    await queue.send('visible-2');

    // Act
    const stats = await queue.stats();

    // Assess
    expect(stats).toEqual({ visible: 2, inFlight: 1, delayed: 2, deadLettered: 1 });
  });

  it('makes a message visible at once with retryLater(handle, 0)', async () => {
    // Prepare
    const queue = open();
    await queue.send('again');
    const first = await queue.receive(1, 60);

    // Act
    await queue.retryLater(first[0]!.receiptHandle, 0);
    const second = await queue.receive(1, 60);

    // Assess
    expect(second).toEqual([expect.objectContaining({ body: 'again', dequeueCount: 2 })]);
  });

  it('keeps the queues that share one file apart', async () => {
    // Prepare
    const startCopy = open('start-copy');
    const notify = open('notify');
    await startCopy.send('for-start-copy');

    // Act
    const onNotify = await notify.receive(10, 10);
    const onStartCopy = await startCopy.receive(10, 10);

    // Assess
    expect(onNotify).toEqual([]);
    expect(onStartCopy.map((message) => message.body)).toEqual(['for-start-copy']);
  });

  it('opens the file in WAL mode', () => {
    // Prepare
    const db = new Database(join(dir, 'wal.db'));
    opened.push(db);

    // Act
    open('start-copy', {}, db);

    // Assess
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses a queue that is its own dead-letter queue', () => {
    // Act
    const build = (): SqliteMessageQueue => open('start-copy', { deadLetterQueue: 'start-copy' });

    // Assess
    expect(build).toThrow(/own dead-letter queue/);
  });

  it('never gives the same visible message to two consumers on two connections', async () => {
    // Prepare
    const path = join(dir, 'shared.db');
    const producer = open('start-copy', {}, path);
    const first = open('start-copy', {}, path);
    const second = open('start-copy', {}, path);
    for (let index = 0; index < 30; index += 1) await producer.send(`m${index}`);

    // Act
    const seen: string[] = [];
    for (;;) {
      const batch = [...(await first.receive(4, 60)), ...(await second.receive(3, 60))];
      if (batch.length === 0) break;
      seen.push(...batch.map((message) => message.body));
    }

    // Assess
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('never gives the same visible message to two processes draining one file at the same time', async () => {
    // Prepare
    const path = join(dir, 'two-processes.db');
    const producer = new SqliteMessageQueue(path, 'start-copy', { clock: systemClock, maxReceives: 3 });
    opened.push(producer);
    const sent = new Set<string>();
    for (let index = 0; index < 200; index += 1) sent.add((await producer.send(`m${index}`)).messageId);

    const drainers = [startDrainer(path), startDrainer(path)];
    await Promise.all(drainers.map((drainer) => drainer.ready));

    // Act
    for (const drainer of drainers) drainer.go();
    const [a, b] = await Promise.all(drainers.map((drainer) => drainer.ids));

    // Assess
    expect(a!.length + b!.length).toBe(200);
    expect(new Set([...a!, ...b!])).toEqual(sent);
    // Each stops at 120, so both take part whatever the scheduler does: 200 = at least 80 each.
    expect(Math.min(a!.length, b!.length)).toBeGreaterThanOrEqual(80);
  });
});

/**
 * A second OS process running the adapter (through tsx). It says "ready" once loaded and drains
 * the queue when told "go", so that both children contend for the same rows; each stops after 120
 * messages so neither can take everything on a machine that happens to schedule it first.
 */
const startDrainer = (path: string): { ready: Promise<void>; go(): void; ids: Promise<string[]> } => {
  const script = `
    const { SqliteMessageQueue } = require(${JSON.stringify(join(repoRoot, 'shared/stores/sqlite/sqlite-message-queue.ts'))});
    const queue = new SqliteMessageQueue(${JSON.stringify(path)}, 'start-copy', { clock: { now: () => new Date() }, maxReceives: 3 });
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      const ids = [];
      while (ids.length < 120) {
        const batch = await queue.receive(1, 300);
        if (batch.length === 0) break;
        for (const message of batch) { ids.push(message.messageId); await queue.ack(message.receiptHandle); }
      }
      queue.close();
      process.stdout.write(JSON.stringify(ids) + '\\n');
      process.exit(0);
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolveReady) => {
    signalReady = resolveReady;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (output.startsWith('ready\n')) signalReady();
  });
  const ids = new Promise<string[]>((resolveIds, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`drainer exited with ${code}`));
      else resolveIds(z.array(z.string()).parse(JSON.parse(output.slice('ready\n'.length))));
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), ids };
};
