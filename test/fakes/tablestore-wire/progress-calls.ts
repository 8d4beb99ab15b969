import { ImageState } from '../../../shared/core/domain/image';
import { CopyState, type Job } from '../../../shared/core/domain/job';
import { advance, newJob } from '../../../shared/core/domain/job-transitions';
import { encodeJob } from '../../../shared/stores/job-codec';
import { TablestoreJobStore } from '../../../shared/stores/tablestore/tablestore-job-store';
import { FAKE_CREDENTIALS, TABLE, startTablestoreHarness } from './harness';

export interface ProgressCalls {
  readonly jobs: number;
  /** Every Tablestore request of the pass: listInFlight, then updateMany. */
  readonly calls: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly stored: number;
}

const started = new Date(Date.UTC(2026, 0, 1));

const copying = (index: number): Job => {
  const queued = newJob(
    `job-${String(index).padStart(6, '0')}`,
    {
      policy: 'nightly',
      provider: 'alibaba',
      account: 'default',
      source: { region: 'cn-hangzhou', imageId: 'm-source', imageName: 'golden' },
      destination: { region: 'cn-shanghai', imageName: 'golden', tags: {} },
      copyTimeoutSeconds: 3600,
      maxAttempts: 3,
      webhooks: [],
    },
    ImageState.Available,
    started,
  );
  const claimed = advance(queued, { type: 'dispatch.claimed' }, started);
  return advance(claimed, { type: 'copy.accepted', handle: `m-${queued.id}`, destinationImageId: `m-${queued.id}` }, started);
};

/**
 * The Tablestore requests one poll pass costs when `count` copies progress: a fresh store (a new
 * function instance) lists the jobs in flight and writes every job's progress with updateMany,
 * all against the wire fake. For the benchmark: `await tablestoreCallsForProgress(10_000)`.
 */
export const tablestoreCallsForProgress = async (count = 10_000): Promise<ProgressCalls> => {
  const harness = await startTablestoreHarness();
  try {
    const jobs = Array.from({ length: count }, (_, index) => copying(index));
    harness.fake.plant(
      TABLE,
      jobs.flatMap((job): Array<{ pk: string; columns: Record<string, string | bigint> }> => [
        {
          pk: `job:${job.id}`,
          columns: { version: BigInt(job.version), status: job.status, policy: job.policy, created_at: job.createdAt, updated_at: job.updatedAt, body: encodeJob(job) },
        },
        { pk: `inflight:${job.id}`, columns: { job_id: job.id, version: 0n } },
      ]),
    );
    harness.fake.clearRequests();
    const store = new TablestoreJobStore({
      endpoint: harness.fake.endpoint,
      instanceName: FAKE_CREDENTIALS.instanceName,
      credentials: FAKE_CREDENTIALS,
      tableName: TABLE,
    });
    const inFlight = await store.listInFlight();
    const outcomes = await store.updateMany(
      inFlight.map((job) => advance(job, { type: 'copy.observed', state: CopyState.Running, progressPercent: 50 }, new Date(started.getTime() + 60_000))),
    );
    const byOperation: Record<string, number> = {};
    for (const request of harness.fake.requests) byOperation[request.operation] = (byOperation[request.operation] ?? 0) + 1;
    return { jobs: count, calls: harness.fake.requests.length, byOperation, stored: outcomes.filter((outcome) => outcome.status === 'stored').length };
  } finally {
    await harness.close();
  }
};

if (/progress-calls\.ts$/.test(process.argv[1] ?? '')) {
  tablestoreCallsForProgress(Number(process.argv[2] ?? 10_000)).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
