import TableStore from 'tablestore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TABLE, type TablestoreHarness, startTablestoreHarness } from '../../fakes/tablestore-wire/harness';
import { queuedJob } from './jobs';

const KEY = 'golden/ding';

/** Another writer's row, through the real SDK: what a broken or older writer could leave. */
const plant = (harness: TablestoreHarness, columns: Parameters<TablestoreHarness['client']['putRow']>[0]['attributeColumns']) =>
  harness.client.putRow({
    tableName: TABLE,
    condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    primaryKey: [{ pk: `outbox:${KEY}` }],
    attributeColumns: columns,
  });

describe('chat webhook outboxes in the jobs’ Tablestore table', () => {
  let harness: TablestoreHarness;
  beforeEach(async () => {
    harness = await startTablestoreHarness();
  });
  afterEach(() => harness.close());

  it('keeps each outbox in a row of its own, beside the jobs and never among them', async () => {
    // Prepare
    await harness.store.putIfAbsent(queuedJob('j-1'));

    // Act
    await harness.store.outbox.write(KEY, '{"sends":[]}', 0);
    const jobs = await harness.store.list();

    // Assess
    expect(jobs.map((job) => job.id)).toEqual(['j-1']);
    const written = harness.fake.requests.filter((request) => request.operation === 'PutRow').map((request) => request.primaryKeys[0]?.[0]?.value);
    expect(written).toContainEqual({ type: 'string', value: `outbox:${KEY}` });
  });

  it('takes a write whose answer was lost as done when the retry finds its own document', async () => {
    // Prepare: the first PutRow applies, then its answer fails
    harness.fake.failNext({ code: 'OTSInternalServerError', operation: 'PutRow', afterApply: true });

    // Act
    const written = await harness.store.outbox.write(KEY, '{"a":1}', 0);

    // Assess
    expect(written).toEqual({ key: KEY, version: 1, body: '{"a":1}' });
  });

  it('tells a writer that lost the race, even on a retry, when the document there is another’s', async () => {
    // Prepare: another writer's version 1 is there; our write's first try fails before it applies
    await harness.store.outbox.write(KEY, '{"theirs":1}', 0);
    harness.fake.failNext({ code: 'OTSInternalServerError', operation: 'PutRow' });

    // Act
    const written = await harness.store.outbox.write(KEY, '{"ours":1}', 0);

    // Assess
    expect(written).toBeUndefined();
    expect(await harness.store.outbox.read(KEY)).toEqual({ key: KEY, version: 1, body: '{"theirs":1}' });
  });

  it('reads a row without a version as none, and its first write replaces it', async () => {
    // Prepare
    await plant(harness, [{ body: '{"stale":true}' }]);

    // Act
    const before = await harness.store.outbox.read(KEY);
    const written = await harness.store.outbox.write(KEY, '{"fresh":true}', 0);

    // Assess
    expect(before).toBeUndefined();
    expect(written?.version).toBe(1);
    expect(await harness.store.outbox.read(KEY)).toEqual({ key: KEY, version: 1, body: '{"fresh":true}' });
  });

  it('answers a body that is not text as an unreadable document, keeping its version for the next write', async () => {
    // Prepare
    await plant(harness, [{ version: TableStore.Long.fromNumber(4) }, { body: TableStore.Long.fromNumber(7) }]);

    // Act
    const read = await harness.store.outbox.read(KEY);
    const written = await harness.store.outbox.write(KEY, '{"fresh":true}', read?.version ?? 0);

    // Assess
    expect(read).toEqual({ key: KEY, version: 4, body: '' });
    expect(written?.version).toBe(5);
  });

  it.each([
    ['text', 'seven'],
    ['negative', TableStore.Long.fromNumber(-3)],
    ['past 2^53, where +1 is lost', TableStore.Long.fromString('4611686018427387904')],
    ['a fraction', 1.5],
  ])('replaces a row whose version is %s, which no writer of ours leaves, rather than being blocked by it', async (_name, version) => {
    // Prepare
    await plant(harness, [{ version }, { body: '{"v":1}' }]);

    // Act
    const read = await harness.store.outbox.read(KEY);
    const written = await harness.store.outbox.write(KEY, '{"fresh":true}', 0);
    const next = await harness.store.outbox.write(KEY, '{"fresher":true}', 1);

    // Assess
    expect(read).toBeUndefined();
    expect(written?.version).toBe(1);
    expect(next?.version).toBe(2);
  });

  it('takes a later write whose answer was lost as done, on its version', async () => {
    // Prepare
    await harness.store.outbox.write(KEY, '{"a":1}', 0);
    harness.fake.failNext({ code: 'OTSInternalServerError', operation: 'PutRow', afterApply: true });

    // Act
    const written = await harness.store.outbox.write(KEY, '{"a":2}', 1);

    // Assess
    expect(written).toEqual({ key: KEY, version: 2, body: '{"a":2}' });
  });
});
