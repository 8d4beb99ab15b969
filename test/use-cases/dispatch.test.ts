import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import { TerminalError } from '../../shared/core/domain/errors';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';
import { FakeImageCloud } from '../fakes/fake-image-cloud';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { RecordingQueue } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { createDispatch } from '../../shared/core/use-cases/dispatch';

describe('createDispatch', () => {
  const setup = async (limit: number, images: FakeImageCloud, sources: string[]) => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const jobs = new InMemoryJobStore();
    for (const id of sources) {
      const image = images.addImage({ id, region: 'cn-hangzhou', tags: { role: 'golden' } });
      for (const { id: jobId, spec } of planJobs(testPolicyConfig(), image)) await jobs.putIfAbsent(newJob(jobId, spec, ImageState.Available, clock.now()));
    }
    const writer = createJobWriter(jobs, clock, silentLogger, new RecordingQueue());
    return { jobs, dispatch: () => createDispatch({ images, jobs, writer, clock, logger: silentLogger, maxConcurrentCopiesPerRegion: limit })() };
  };

  it('keeps the per-region limit when two dispatch passes run at the same moment', async () => {
    // Prepare
    const images = new FakeImageCloud();
    const { jobs, dispatch } = await setup(1, images, ['m-1', 'm-2', 'm-3']);
    // Act
    await Promise.all([dispatch(), dispatch(), dispatch()]);
    // Assess
    expect(images.copies).toHaveLength(1);
    const statuses = (await jobs.list()).map((job) => job.status);
    expect(statuses.filter((status) => status === JobStatus.Copying)).toHaveLength(1);
    expect(statuses.filter((status) => status === JobStatus.Queued)).toHaveLength(5);
  });

  it('retries with the same token, rather than failing the job, when the CopyImage answer cannot be read', async () => {
    const images = new FakeImageCloud();
    const { jobs, dispatch } = await setup(5, images, ['m-1']);
    images.failNextCopy(new TerminalError('EcsUnexpectedResponse', 'ECS CopyImage answered an unexpected body: ImageId'));
    const outcome = await dispatch();
    const deferred = (await jobs.list()).find((job) => job.lastError?.code === 'EcsUnexpectedResponse');
    expect(outcome.rejected).toBe(0);
    expect(deferred?.status).toBe(JobStatus.Queued);
    expect(deferred?.attempt).toBe(1);
  });
});
