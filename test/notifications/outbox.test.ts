import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { InMemoryWebhookOutbox } from '../../shared/core/notifications/in-memory-outbox';
import { acquireLease, OUTBOX_LEASE_MS, peekOutbox } from '../../shared/core/notifications/outbox';
import type { WebhookOutboxStore } from '../../shared/core/ports/webhook-outbox';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { SqliteWebhookOutbox } from '../../shared/stores/sqlite/sqlite-webhook-outbox';
import { type TablestoreHarness, startTablestoreHarness } from '../fakes/tablestore-wire/harness';

const KEY = 'golden/ding';
const databases: Database.Database[] = [];
const harnesses: TablestoreHarness[] = [];

const STORES: readonly (readonly [string, () => Promise<WebhookOutboxStore>])[] = [
  ['in memory', async () => Promise.resolve(new InMemoryWebhookOutbox())],
  [
    'in SQLite',
    async () => {
      const db = new Database(':memory:');
      databases.push(db);
      return Promise.resolve(new SqliteWebhookOutbox(db));
    },
  ],
  [
    'in Tablestore (the functions’ store, over the wire fake)',
    async () => {
      const harness = await startTablestoreHarness();
      harnesses.push(harness);
      return harness.store.outbox;
    },
  ],
  [
    'in Tablestore, where a column condition fails on a missing row',
    async () => {
      const harness = await startTablestoreHarness({ missingRowFailsColumnCondition: true });
      harnesses.push(harness);
      return harness.store.outbox;
    },
  ],
];

afterEach(async () => {
  for (const db of databases.splice(0)) db.close();
  for (const harness of harnesses.splice(0)) await harness.close();
});

describe.each(STORES)('the webhook outbox store %s', (_name, open) => {
  it('writes a document once per version: the second writer of a version is told, and writes nothing', async () => {
    // Prepare
    const store = await open();
    // Act
    const first = await store.write(KEY, '{"a":1}', 0);
    const again = await store.write(KEY, '{"a":2}', 0);
    const next = await store.write(KEY, '{"a":3}', 1);
    const stale = await store.write(KEY, '{"a":4}', 1);
    // Assess
    expect([first?.version, again, next?.version, stale]).toEqual([1, undefined, 2, undefined]);
    expect(await store.read(KEY)).toEqual({ key: KEY, version: 2, body: '{"a":3}' });
    expect(await store.read('golden/other')).toBeUndefined();
  });

  it('refuses a document far bigger than an outbox ever is', async () => {
    // Prepare
    const store = await open();
    // Act
    const write = store.write(KEY, 'x'.repeat(20_000), 0);
    // Assess
    await expect(write).rejects.toThrow(/more than 16384 bytes/);
  });
});

describe('the webhook lease', () => {
  const now = (clock: ManualClock) => () => clock.now().getTime();

  it('lets one run post at a time; another run is told until when', async () => {
    // Prepare
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    // Act
    const first = await acquireLease(store, KEY, 'run-1', now(clock), silentLogger);
    const second = await acquireLease(store, KEY, 'run-2', now(clock), silentLogger);
    // Assess
    expect(first.kind).toBe('held');
    expect(second).toEqual({ kind: 'busy', untilMs: clock.now().getTime() + OUTBOX_LEASE_MS });
  });

  it('is free again once given back, and after it expires (its holder died mid-post)', async () => {
    // Prepare
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const first = await acquireLease(store, KEY, 'run-1', now(clock), silentLogger);
    if (first.kind !== 'held') throw new Error('expected the lease');
    await first.lease.release();
    const second = await acquireLease(store, KEY, 'run-2', now(clock), silentLogger);
    // Act
    clock.advance(OUTBOX_LEASE_MS + 1);
    const third = await acquireLease(store, KEY, 'run-3', now(clock), silentLogger);
    // Assess
    expect(second.kind).toBe('held');
    expect(third.kind).toBe('held');
    expect((await peekOutbox(store, KEY)).lease?.owner).toBe('run-3');
  });

  it('keeps every send when a run that lost its lease writes: changes are applied to the latest document', async () => {
    // Prepare
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const slow = await acquireLease(store, KEY, 'slow', now(clock), silentLogger);
    if (slow.kind !== 'held') throw new Error('expected the lease');
    clock.advance(OUTBOX_LEASE_MS + 1);
    const fast = await acquireLease(store, KEY, 'fast', now(clock), silentLogger);
    if (fast.kind !== 'held') throw new Error('expected the lease');
    await fast.lease.update((doc) => ({ ...doc, sentAtMs: [...doc.sentAtMs, clock.now().getTime()] }));
    // Act
    await slow.lease.update((doc) => ({ ...doc, sentAtMs: [...doc.sentAtMs, clock.now().getTime() + 1] }));
    await slow.lease.release();
    // Assess
    const doc = await peekOutbox(store, KEY);
    expect(doc.sentAtMs).toHaveLength(2);
    expect(doc.lease?.owner).toBe('fast');
  });

  it('replaces an unreadable document instead of obeying it', async () => {
    // Prepare
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    await store.write(KEY, '{"v":1,"sentAtMs":"not a list","lease":{"owner":"ghost","untilMs":9999999999999}}', 0);
    // Act
    const result = await acquireLease(store, KEY, 'run-1', now(clock), silentLogger);
    // Assess
    expect(result.kind).toBe('held');
    expect((await peekOutbox(store, KEY)).sentAtMs).toEqual([]);
  });

  it('drops a lease or a hold longer than any writer sets (a document edited by hand) instead of obeying it', async () => {
    // Prepare: a lease and a hold until 2030
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const far = Date.parse('2030-01-01T00:00:00Z');
    await store.write(KEY, JSON.stringify({ v: 1, sentAtMs: [], blockedUntilMs: far, lease: { owner: 'someone', untilMs: far } }), 0);

    // Act
    const result = await acquireLease(store, KEY, 'run-b', now(clock), silentLogger);

    // Assess
    expect(result.kind).toBe('held');
    const doc = await peekOutbox(store, KEY);
    expect(doc.lease?.owner).toBe('run-b');
    expect(doc.blockedUntilMs).toBeUndefined();
  });

  it('keeps a lease and a hold a writer could have set, up to the hour a platform may ask', async () => {
    // Prepare: another run's lease for a minute, a platform's hold for 59 minutes
    const store = new InMemoryWebhookOutbox();
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const at = clock.now().getTime();
    await store.write(KEY, JSON.stringify({ v: 1, sentAtMs: [], blockedUntilMs: at + 59 * 60_000, lease: { owner: 'someone', untilMs: at + OUTBOX_LEASE_MS } }), 0);

    // Act
    const busy = await acquireLease(store, KEY, 'run-b', now(clock), silentLogger);
    clock.advance(OUTBOX_LEASE_MS + 1);
    const taken = await acquireLease(store, KEY, 'run-b', now(clock), silentLogger);

    // Assess
    expect(busy).toEqual({ kind: 'busy', untilMs: at + OUTBOX_LEASE_MS });
    expect(taken.kind).toBe('held');
    expect((await peekOutbox(store, KEY)).blockedUntilMs).toBe(at + 59 * 60_000);
  });
});
