import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { DISPATCH_LEASE_SECONDS, START_COPY_TIMEOUT_SECONDS } from '../../shared/core/domain/retry-policy';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';

/**
 * A claimed dispatch is given up on only when its dispatcher cannot be alive any more: a
 * dispatcher still running would otherwise submit a copy after its job was dispatched again, and
 * a provider without an idempotency token (IMS) makes two.
 */
describe('the dispatch lease', () => {
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let clock: ManualClock;
  let poll: ReturnType<typeof createPollStatus>;
  const SCOPE = { provider: 'alibaba', account: 'default' } as const;

  beforeEach(() => {
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    clock = new ManualClock('2026-03-01T00:00:00Z');
    poll = createPollStatus({ providers: fakeProviders(images), jobs, queues: recordingQueues(), clock, logger: silentLogger, limitCap: 2 });
  });

  const claimedJob = async (): Promise<string> => {
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', state: ImageState.Available, tags: { role: 'golden' } });
    const planned = planJobs(testPolicyConfig(), SCOPE, source).find((p) => p.spec.destination.region === 'cn-shanghai');
    if (planned === undefined) throw new Error('policy does not select the image');
    const job = newJob(planned.id, planned.spec, ImageState.Available, clock.now());
    await jobs.putIfAbsent(job);
    await jobs.update(advance(job, { type: 'dispatch.claimed' }, clock.now()));
    return job.id;
  };

  it('outlasts the longest start-copy invocation, with a margin', () => {
    // Act
    const margin = DISPATCH_LEASE_SECONDS - START_COPY_TIMEOUT_SECONDS;

    // Assess
    expect(margin).toBeGreaterThanOrEqual(30);
  });

  it('leaves a claim alone for as long as the start-copy invocation that made it may run', async () => {
    // Prepare
    const id = await claimedJob();
    clock.advance(START_COPY_TIMEOUT_SECONDS * 1000);

    // Act
    await poll();

    // Assess
    expect((await jobs.get(id))?.status).toBe(JobStatus.Dispatching);
    expect(images.calls.filter((call) => call.op === 'findCopy')).toEqual([]);
  });

  it('gives the claim up once the lease has run out: no copy found, the job is queued again', async () => {
    // Prepare
    const id = await claimedJob();
    clock.advance((DISPATCH_LEASE_SECONDS + 1) * 1000);

    // Act
    await poll();

    // Assess
    expect((await jobs.get(id))?.status).toBe(JobStatus.Queued);
  });
});
