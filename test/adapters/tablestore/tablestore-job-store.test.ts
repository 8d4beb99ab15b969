import { inspect } from 'node:util';
import TableStore from 'tablestore';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptJobError } from '../../../shared/stores/job-codec';
import { TablestoreJobStore } from '../../../shared/stores/tablestore/tablestore-job-store';
import { RetryableError, TerminalError, VersionConflictError } from '../../../shared/core/domain/errors';
import type { Logger } from '../../../shared/core/ports/logger';
import type { RecordedRequest } from '../../fakes/tablestore-wire/server';
import { FAKE_CREDENTIALS, TABLE, type TablestoreHarness, startTablestoreHarness } from '../../fakes/tablestore-wire/harness';
import { accepted, availableJob, cancel, claim, queuedJob } from './jobs';

const keyText = (key: RecordedRequest['primaryKeys'][number]): string => {
  const value = key[0]?.value;
  return value?.type === 'string' ? value.value : '';
};

const keysOf = (harness: TablestoreHarness, operation: string): string[] =>
  harness.fake.requests.filter((request) => request.operation === operation).flatMap((request) => request.primaryKeys.map(keyText));

const markerVersion = async (harness: TablestoreHarness, id: string): Promise<number | undefined> => {
  const answer = (await harness.client.getRow({ tableName: TABLE, primaryKey: [{ pk: `inflight:${id}` }] })) as {
    row: { attributes?: { columnName: string; columnValue: { toNumber(): number } }[] };
  };
  return answer.row.attributes?.find((cell) => cell.columnName === 'version')?.columnValue.toNumber();
};

const plantMarker = (harness: TablestoreHarness, id: string, version: number) =>
  harness.client.putRow({
    tableName: TABLE,
    condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    primaryKey: [{ pk: `inflight:${id}` }],
    attributeColumns: [{ job_id: id }, { version: TableStore.Long.fromNumber(version) }],
  });

const secretsIn = (error: unknown): boolean => {
  const text = inspect(error, { depth: 6 });
  return text.includes(FAKE_CREDENTIALS.accessKeySecret) || text.includes(FAKE_CREDENTIALS.securityToken);
};

describe('TablestoreJobStore', () => {
  let harness: TablestoreHarness | undefined;
  const start = async (...args: Parameters<typeof startTablestoreHarness>) => {
    harness = await startTablestoreHarness(...args);
    return harness;
  };
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  describe('conditions on the wire', () => {
    it('creates with EXPECT_NOT_EXIST and updates on version with passIfMissing false', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');

      // Act
      await h.store.putIfAbsent(job);
      await h.store.update(claim(job));

      // Assess
      const jobPut = h.fake.requests.find((r) => r.operation === 'PutRow' && r.primaryKeys.map(keyText).includes('job:job-1'));
      const update = h.fake.requests.find((r) => r.operation === 'UpdateRow');
      expect(jobPut?.condition).toEqual({ rowExistence: 2, column: undefined });
      expect(update?.condition).toEqual({
        rowExistence: 1,
        column: {
          kind: 'single',
          columnName: 'version',
          comparator: 1,
          value: { type: 'integer', value: 0n },
          filterIfMissing: true,
          latestVersionOnly: true,
        },
      });
    });

    it('refuses an update of a row that lacks the version column', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');
      await h.client.putRow({
        tableName: TABLE,
        condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
        primaryKey: [{ pk: 'job:job-1' }],
        attributeColumns: [{ body: JSON.stringify(job) }],
      });

      // Act
      const attempt = h.store.update(claim(job));

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    });
  });

  describe('retries', () => {
    it('retries a busy service with growing backoff, then succeeds', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');
      await h.store.putIfAbsent(job);
      h.fake.failNext({ code: 'OTSServerBusy', operation: 'UpdateRow', times: 2 });

      // Act
      const stored = await h.store.update(cancel(job));

      // Assess
      expect(stored.status).toBe('cancelled');
      expect(h.fake.requestCount('UpdateRow')).toBe(3);
      expect(h.sleeps).toEqual([100, 200]);
      expect((await h.store.get('job-1'))?.version).toBe(1);
    });

    it('gives up after the bounded attempts with a retryable error that names the code and no secret', async () => {
      // Prepare
      const h = await start();
      h.fake.failNext({ code: 'OTSNotEnoughCapacityUnit', operation: 'GetRow', times: 10 });

      // Act
      const attempt = h.store.get('job-1');

      // Assess
      const error: unknown = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({ code: 'OTSNotEnoughCapacityUnit', details: { operation: 'GetRow', attempts: 4 } });
      expect(h.fake.requestCount('GetRow')).toBe(4);
      expect(h.sleeps).toEqual([100, 200, 400]);
      expect(secretsIn(error)).toBe(false);
    });

    it('retries a dropped connection', async () => {
      // Prepare
      const h = await start();
      await h.store.putIfAbsent(queuedJob('job-1'));
      h.fake.failNext({ code: 'reset', operation: 'GetRow', dropConnection: true });

      // Act
      const job = await h.store.get('job-1');

      // Assess
      expect(job?.id).toBe('job-1');
      expect(h.fake.requestCount('GetRow')).toBe(2);
    });

    it('does not retry a terminal code and keeps it as the error code', async () => {
      // Prepare
      const h = await start();
      h.fake.failNext({ code: 'OTSParameterInvalid', status: 400, operation: 'GetRange' });

      // Act
      const attempt = h.store.list();

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(TerminalError);
      await expect(attempt).rejects.toMatchObject({ code: 'OTSParameterInvalid', retryable: false });
      expect(h.fake.requestCount('GetRange')).toBe(1);
    });

    it('recognises its own update when the answer to the first try was lost', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');
      await h.store.putIfAbsent(job);
      h.fake.failNext({ code: 'OTSInternalServerError', operation: 'UpdateRow', afterApply: true });

      // Act
      const stored = await h.store.update(claim(job));

      // Assess
      expect(stored).toEqual(claim(job));
      expect(h.fake.requestCount('UpdateRow')).toBe(2);
    });

    it('recognises its own create when the answer to the first try was lost', async () => {
      // Prepare
      const h = await start();
      h.fake.failNext({ code: 'reset', operation: 'PutRow', dropConnection: true, afterApply: true });
      const job = availableJob('job-1');

      // Act
      const result = await h.store.putIfAbsent(job);

      // Assess
      expect(result).toEqual({ created: true, job });
    });
  });

  describe('the in-flight access path', () => {
    it('ranges over markers only: 1,000 finished jobs are never read', async () => {
      // Prepare
      const h = await start();
      for (let index = 0; index < 1000; index += 1) await h.store.putIfAbsent(availableJob(`done-${String(index).padStart(4, '0')}`));
      for (const id of ['live-1', 'live-2', 'live-3']) await h.store.putIfAbsent(queuedJob(id, 5));
      h.fake.clearRequests();

      // Act
      const inFlight = await h.store.listInFlight();

      // Assess
      expect(inFlight.map((job) => job.id)).toEqual(['live-1', 'live-2', 'live-3']);
      expect(keysOf(h, 'GetRange')).toEqual(['inflight:live-1', 'inflight:live-2', 'inflight:live-3']);
      expect(keysOf(h, 'BatchGetRow')).toEqual(['job:live-1', 'job:live-2', 'job:live-3']);
      expect(h.fake.requests.map((request) => request.operation)).toEqual(['GetRange', 'BatchGetRow']);
    });

    it('writes a job that stays in flight with one UpdateRow once it has seen it in flight, and puts the marker first otherwise', async () => {
      // Prepare
      const h = await start();
      await h.store.putIfAbsent(queuedJob('job-1'));
      const instance = (): TablestoreJobStore =>
        new TablestoreJobStore({
          endpoint: h.fake.endpoint,
          instanceName: FAKE_CREDENTIALS.instanceName,
          credentials: { accessKeyId: FAKE_CREDENTIALS.accessKeyId, accessKeySecret: FAKE_CREDENTIALS.accessKeySecret, securityToken: FAKE_CREDENTIALS.securityToken },
          tableName: TABLE,
        });
      const seeing = instance();
      const [seen] = await seeing.listInFlight();
      h.fake.clearRequests();

      // Act
      const claimed = await seeing.update(claim(seen!));
      const afterSeen = h.fake.requests.map((request) => [request.operation, request.primaryKeys.map(keyText)]);
      h.fake.clearRequests();
      await instance().update(accepted(claimed));
      const unseen = h.fake.requests.map((request) => [request.operation, request.primaryKeys.map(keyText)]);

      // Assess
      expect(afterSeen).toEqual([['UpdateRow', ['job:job-1']]]);
      expect(unseen).toEqual([
        ['PutRow', ['inflight:job-1']],
        ['UpdateRow', ['job:job-1']],
      ]);
    });

    it('heals a marker left behind by a write that stopped halfway, and says so in the log', async () => {
      // Prepare
      const warnings: string[] = [];
      const logger: Logger = {
        debug() {},
        info() {},
        warn: (message) => void warnings.push(message),
        error() {},
        child: () => logger,
      };
      const h = await start({}, { logger });
      const job = queuedJob('job-1');
      await h.store.putIfAbsent(job);
      h.fake.failNext({ code: 'OTSServerBusy', operation: 'DeleteRow', times: 4 });
      await h.store.update(cancel(job));
      const leftBehind = await markerVersion(h, 'job-1');

      // Act
      const inFlight = await h.store.listInFlight();

      // Assess
      expect(leftBehind).toBe(0);
      expect(warnings).toHaveLength(1);
      expect(inFlight).toEqual([]);
      expect(await markerVersion(h, 'job-1')).toBeUndefined();
    });

    it('never lets a late delete remove the marker of a newer write', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');
      await h.store.putIfAbsent(job);
      await plantMarker(h, 'job-1', 10);

      // Act
      await h.store.update(cancel(job));

      // Assess
      expect(await markerVersion(h, 'job-1')).toBe(10);
    });

    it('never moves a marker back to an older version', async () => {
      // Prepare
      const h = await start();
      await plantMarker(h, 'job-1', 10);

      // Act
      await h.store.putIfAbsent(queuedJob('job-1'));

      // Assess
      expect(await markerVersion(h, 'job-1')).toBe(10);
      expect((await h.store.listInFlight()).map((job) => job.id)).toEqual(['job-1']);
    });

    it('keeps a marker whose job does not exist yet: its create may be under way', async () => {
      // Prepare
      const h = await start();
      await plantMarker(h, 'job-creating', 0);

      // Act
      const inFlight = await h.store.listInFlight();

      // Assess
      expect(inFlight).toEqual([]);
      expect(await markerVersion(h, 'job-creating')).toBe(0);
    });
  });

  describe('authentication and stored data', () => {
    it('is refused with a wrong secret, and the error carries no secret', async () => {
      // Prepare
      const h = await start();
      const wrongSecret = 'wrong-secret-also-secret';
      const store = new TablestoreJobStore({
        endpoint: h.fake.endpoint,
        instanceName: FAKE_CREDENTIALS.instanceName,
        credentials: { accessKeyId: FAKE_CREDENTIALS.accessKeyId, accessKeySecret: wrongSecret, securityToken: FAKE_CREDENTIALS.securityToken },
        tableName: TABLE,
      });

      // Act
      const error: unknown = await store.get('job-1').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TerminalError);
      expect(error).toMatchObject({ code: 'OTSAuthFailed', details: { httpStatus: 403 } });
      expect(inspect(error, { depth: 6 })).not.toContain(wrongSecret);
      expect(secretsIn(error)).toBe(false);
    });

    it('is refused without the STS token the instance expects', async () => {
      // Prepare
      const h = await start();
      const store = new TablestoreJobStore({
        endpoint: h.fake.endpoint,
        instanceName: FAKE_CREDENTIALS.instanceName,
        credentials: { accessKeyId: FAKE_CREDENTIALS.accessKeyId, accessKeySecret: FAKE_CREDENTIALS.accessKeySecret },
        tableName: TABLE,
      });

      // Act
      const attempt = store.list();

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'OTSAuthFailed' });
    });

    it('names the job and the field of a corrupt row', async () => {
      // Prepare
      const h = await start();
      const job = queuedJob('job-1');
      await h.client.putRow({
        tableName: TABLE,
        condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
        primaryKey: [{ pk: 'job:job-1' }],
        attributeColumns: [{ version: TableStore.Long.fromNumber(0) }, { body: JSON.stringify({ ...job, attempt: 'first' }) }],
      });

      // Act
      const attempt = h.store.get('job-1');

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(CorruptJobError);
      await expect(attempt).rejects.toThrow('stored job job-1 is corrupt: attempt:');
    });

    it('refuses a row whose version column disagrees with its body', async () => {
      // Prepare
      const h = await start();
      await h.client.putRow({
        tableName: TABLE,
        condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
        primaryKey: [{ pk: 'job:job-1' }],
        attributeColumns: [{ version: TableStore.Long.fromNumber(4) }, { body: JSON.stringify(queuedJob('job-1')) }],
      });

      // Act
      const listed = await h.store.list();
      const attempt = h.store.get('job-1');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'CorruptStoredJob', details: { jobId: 'job-1', field: 'version' } });
      expect(listed).toEqual([]);
    });

    it('creates its table once and accepts an existing one', async () => {
      // Prepare
      const h = await start();
      const other = new TablestoreJobStore({
        endpoint: h.fake.endpoint,
        instanceName: FAKE_CREDENTIALS.instanceName,
        credentials: { accessKeyId: FAKE_CREDENTIALS.accessKeyId, accessKeySecret: FAKE_CREDENTIALS.accessKeySecret, securityToken: FAKE_CREDENTIALS.securityToken },
        tableName: 'another_table',
      });

      // Act
      const first = await other.ensureTable();
      const again = await other.ensureTable();
      const existing = await h.store.ensureTable();

      // Assess
      expect([first, again, existing]).toEqual([{ created: true }, { created: false }, { created: false }]);
      expect(h.fake.requestCount('CreateTable')).toBe(3);
    });
  });
});
