import { afterEach, describe, expect, it } from 'vitest';
import { CopyState, type Job } from '../../../shared/core/domain/job';
import { advance } from '../../../shared/core/domain/job-transitions';
import { TablestoreJobStore } from '../../../shared/stores/tablestore/tablestore-job-store';
import { tablestoreCallsForProgress } from '../../fakes/tablestore-wire/progress-calls';
import type { RecordedRequest } from '../../fakes/tablestore-wire/server';
import { FAKE_CREDENTIALS, TABLE, type TablestoreHarness, startTablestoreHarness } from '../../fakes/tablestore-wire/harness';
import { claim, queuedJob } from './jobs';

const keyText = (key: RecordedRequest['primaryKeys'][number]): string => {
  const value = key[0]?.value;
  return value?.type === 'string' ? value.value : '';
};
const batches = (harness: TablestoreHarness): string[][] =>
  harness.fake.requests.filter((request) => request.operation === 'BatchWriteRow').map((request) => request.primaryKeys.map(keyText));
const progress = (job: Job, percent: number): Job =>
  advance(job, { type: 'copy.observed', state: CopyState.Running, progressPercent: percent }, new Date(Date.UTC(2026, 0, 1, 1)));
const accepted = (job: Job): Job => advance(job, { type: 'copy.accepted', handle: `m-${job.id}`, destinationImageId: `m-${job.id}` }, new Date(Date.UTC(2026, 0, 1, 0, 40)));

/** A store that has not seen the jobs, as a new function instance has not. */
const freshStore = (harness: TablestoreHarness): TablestoreJobStore =>
  new TablestoreJobStore({ endpoint: harness.fake.endpoint, instanceName: FAKE_CREDENTIALS.instanceName, credentials: FAKE_CREDENTIALS, tableName: TABLE, sleep: async () => {} });

describe('TablestoreJobStore.updateMany', () => {
  let harness: TablestoreHarness | undefined;
  const start = async (): Promise<TablestoreHarness> => {
    harness = await startTablestoreHarness();
    return harness;
  };
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('writes the progress of jobs seen in flight as job rows only, 200 to a request, each on its version', async () => {
    // Prepare
    const h = await start();
    const jobs: Job[] = [];
    for (let index = 0; index < 250; index += 1) jobs.push((await h.store.putIfAbsent(accepted(claim(queuedJob(`job-${index}`))))).job);
    const store = freshStore(h);
    const inFlight = await store.listInFlight();
    h.fake.clearRequests();

    // Act
    const outcomes = await store.updateMany(inFlight.map((job) => progress(job, 30)));

    // Assess
    expect(outcomes.filter((outcome) => outcome.status === 'stored')).toHaveLength(250);
    expect(batches(h).map((keys) => keys.length)).toEqual([200, 50]);
    expect(batches(h).flat().every((key) => key.startsWith('job:'))).toBe(true);
    expect(h.fake.requests.every((request) => request.operation === 'BatchWriteRow')).toBe(true);
    expect(h.fake.requests[0]?.conditions?.[0]).toEqual({
      rowExistence: 1,
      column: { kind: 'single', columnName: 'version', comparator: 1, value: { type: 'integer', value: 2n }, filterIfMissing: true, latestVersionOnly: true },
    });
  });

  it('puts the marker of a job entering flight before the job, and deletes the marker of one leaving after it', async () => {
    // Prepare
    const h = await start();
    const leaving = (await h.store.putIfAbsent(accepted(claim(queuedJob('leaving'))))).job;
    let entering = (await h.store.putIfAbsent(claim(queuedJob('entering')))).job;
    entering = await h.store.update(advance(entering, { type: 'dispatch.rejected', error: { code: 'Quota', message: 'no' } }, new Date(Date.UTC(2026, 0, 1, 0, 5))));
    h.fake.clearRequests();

    // Act
    const outcomes = await freshStore(h).updateMany([
      advance(leaving, { type: 'copy.observed', state: CopyState.Available }, new Date(Date.UTC(2026, 0, 1, 2))),
      advance(entering, { type: 'reopened' }, new Date(Date.UTC(2026, 0, 1, 2))),
    ]);

    // Assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['stored', 'stored']);
    expect(batches(h)).toEqual([['inflight:entering'], ['job:leaving', 'job:entering']]);
    expect(h.fake.requests.map((request) => request.operation)).toEqual(['BatchWriteRow', 'BatchWriteRow', 'DeleteRow']);
    expect(h.fake.requests[2]?.primaryKeys.map(keyText)).toEqual(['inflight:leaving']);
    expect((await h.store.listInFlight()).map((job) => job.id)).toEqual(['entering']);
  });

  it('retries only the rows that failed alone on a busy partition, with backoff', async () => {
    // Prepare
    const h = await start();
    const jobs = [];
    for (const id of ['a', 'b', 'c']) jobs.push((await h.store.putIfAbsent(accepted(claim(queuedJob(id))))).job);
    h.fake.clearRequests();
    h.fake.failNextRows({ code: 'OTSServerBusy', rows: 1 });

    // Act
    const outcomes = await h.store.updateMany(jobs.map((job) => progress(job, 60)));

    // Assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['stored', 'stored', 'stored']);
    expect(batches(h)).toEqual([['job:a', 'job:b', 'job:c'], ['job:a']]);
    expect(h.sleeps).toEqual([100]);
    expect((await h.store.get('a'))?.progressPercent).toBe(60);
  });

  it('answers failed, terminal, for a row the service refuses for good, and stores the others', async () => {
    // Prepare
    const h = await start();
    const jobs = [];
    for (const id of ['a', 'b']) jobs.push((await h.store.putIfAbsent(accepted(claim(queuedJob(id))))).job);
    h.fake.failNextRows({ code: 'OTSParameterInvalid', rows: 1 });

    // Act
    const outcomes = await h.store.updateMany(jobs.map((job) => progress(job, 70)));

    // Assess
    expect(outcomes[0]).toMatchObject({ id: 'a', status: 'failed', error: { code: 'OTSParameterInvalid', retryable: false } });
    expect(outcomes[1]).toMatchObject({ id: 'b', status: 'stored' });
    expect(await h.store.get('a')).toEqual(jobs[0]);
  });

  it('recognises its own rows when the answer to the first try was lost', async () => {
    // Prepare
    const h = await start();
    const jobs = [];
    for (const id of ['a', 'b']) jobs.push((await h.store.putIfAbsent(accepted(claim(queuedJob(id))))).job);
    h.fake.failNext({ code: 'OTSInternalServerError', operation: 'BatchWriteRow', afterApply: true });
    const next = jobs.map((job) => progress(job, 80));

    // Act
    const outcomes = await h.store.updateMany(next);

    // Assess
    expect(outcomes).toEqual(next.map((job) => ({ id: job.id, status: 'stored', job })));
    expect(h.fake.requestCount('BatchWriteRow')).toBe(2);
  });

  it('keeps each request under the 4 MB cap when jobs are large', async () => {
    // Prepare
    const h = await start();
    const bulky = (id: string): Job => {
      const job = accepted(claim(queuedJob(id)));
      return { ...job, destination: { ...job.destination, description: 'x'.repeat(200_000) } };
    };
    const jobs = [];
    for (let index = 0; index < 20; index += 1) jobs.push((await h.store.putIfAbsent(bulky(`big-${index}`))).job);
    h.fake.clearRequests();

    // Act
    const outcomes = await h.store.updateMany(jobs.map((job) => progress(job, 90)));

    // Assess
    expect(outcomes.every((outcome) => outcome.status === 'stored')).toBe(true);
    expect(batches(h).map((keys) => keys.length)).toEqual([15, 5]);
  });

  it('costs fewer than 300 calls for a poll pass of 10,000 copies progressing', async () => {
    // Act
    const pass = await tablestoreCallsForProgress(10_000);

    // Assess
    expect(pass).toEqual({ jobs: 10_000, calls: 152, byOperation: { GetRange: 2, BatchGetRow: 100, BatchWriteRow: 50 }, stored: 10_000 });
  }, 60_000);
});
