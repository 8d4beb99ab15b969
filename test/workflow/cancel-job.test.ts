import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createCancelJob } from '../../shared/core/use-cases/cancel-job';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';

describe('createCancelJob', () => {
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let queues: ReturnType<typeof recordingQueues>;
  let cancel: ReturnType<typeof createCancelJob>;
  const clock = new ManualClock('2026-03-01T00:00:00Z');

  beforeEach(() => {
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    queues = recordingQueues();
    cancel = createCancelJob({ providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger });
  });

  const storedJob = async (...events: Parameters<typeof advance>[1][]): Promise<Job> => {
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', tags: { role: 'golden' } });
    const [planned] = planJobs(testPolicyConfig(), { provider: 'alibaba', account: 'default' }, source);
    let job = newJob(planned!.id, planned!.spec, ImageState.Available, clock.now());
    await jobs.putIfAbsent(job);
    for (const event of events) job = await jobs.update(advance(job, event, clock.now()));
    return job;
  };

  it('cancels a running copy at the provider, ends the job cancelled and queues its notification', async () => {
    // Prepare
    images.addImage({ id: 'm-copy', region: 'cn-shanghai', state: ImageState.Pending });
    const job = await storedJob({ type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-copy', destinationImageId: 'm-copy' });
    // Act
    const cancelled = await cancel(job.id, 'wrong image');
    // Assess
    expect(images.cancelled).toEqual(['m-copy']);
    expect(cancelled.status).toBe(JobStatus.Cancelled);
    expect(cancelled.lastError).toMatchObject({ code: 'Cancelled', message: 'wrong image' });
    expect(queues.notify.sent).toHaveLength(1);
  });

  it('cancels a queued job without calling the provider', async () => {
    const job = await storedJob();
    await cancel(job.id, 'not needed');
    expect(images.cancelled).toEqual([]);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Cancelled);
  });

  it('refuses while the copy is being started, so no copy is left untracked', async () => {
    const job = await storedJob({ type: 'dispatch.claimed' });
    await expect(cancel(job.id, 'x')).rejects.toMatchObject({ code: 'JobDispatching', retryable: true });
  });

  it('refuses a job whose copy finished meanwhile, and leaves it as it is', async () => {
    images.addImage({ id: 'm-copy', region: 'cn-shanghai', state: ImageState.Available });
    const job = await storedJob({ type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-copy', destinationImageId: 'm-copy' });
    await expect(cancel(job.id, 'x')).rejects.toMatchObject({ code: 'CopyFinished' });
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Copying);
  });

  it('refuses an unknown job and a finished one', async () => {
    await expect(cancel('rj-nope', 'x')).rejects.toMatchObject({ code: 'JobNotFound' });
    const job = await storedJob({ type: 'dispatch.claimed' }, { type: 'dispatch.rejected', error: { code: 'X', message: 'y' } });
    await expect(cancel(job.id, 'x')).rejects.toMatchObject({ code: 'JobFinished' });
  });
});
