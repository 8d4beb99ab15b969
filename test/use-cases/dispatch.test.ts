import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import { RetryableError, TerminalError } from '../../shared/core/domain/errors';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { RecordingQueue } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { createDispatch } from '../../shared/core/use-cases/dispatch';

describe('createDispatch', () => {
  const setup = async (limit: number, images: FakeCopyProvider, sources: string[], config = testPolicyConfig()) => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const jobs = new InMemoryJobStore();
    for (const id of sources) {
      const image = images.addImage({ id, region: 'cn-hangzhou', tags: { role: 'golden' } });
      for (const { id: jobId, spec } of planJobs(config, { provider: 'alibaba', account: 'default' }, image)) await jobs.putIfAbsent(newJob(jobId, spec, ImageState.Available, clock.now()));
    }
    const writer = createJobWriter(jobs, clock, silentLogger, new RecordingQueue());
    return { jobs, dispatch: () => createDispatch({ providers: fakeProviders(images), jobs, writer, clock, logger: silentLogger, limitCap: limit })() };
  };

  it('keeps the per-region limit when two dispatch passes run at the same moment', async () => {
    // Prepare
    const images = new FakeCopyProvider();
    const { jobs, dispatch } = await setup(1, images, ['m-1', 'm-2', 'm-3']);
    // Act
    await Promise.all([dispatch(), dispatch(), dispatch()]);
    // Assess
    expect(images.copies).toHaveLength(1);
    const statuses = (await jobs.list()).map((job) => job.status);
    expect(statuses.filter((status) => status === JobStatus.Copying)).toHaveLength(1);
    expect(statuses.filter((status) => status === JobStatus.Queued)).toHaveLength(5);
  });

  it('counts a copy being stopped against the limit, also when two passes race', async () => {
    // Prepare: limit 2, one slot held by a copy the provider is still stopping; one destination each
    const images = new FakeCopyProvider();
    const oneDestination = testPolicyConfig(`
version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
`);
    const { jobs, dispatch } = await setup(2, images, ['m-1', 'm-2', 'm-3'], oneDestination);
    const [held] = await jobs.list();
    await jobs.update({ ...held!, version: held!.version + 1, status: JobStatus.Stopping, copyHandle: 'm-held', copyStartedAt: '2026-03-01T00:00:00Z' });
    // Both passes read the table before either claims: each sees one slot free.
    const read = jobs.listInFlight.bind(jobs);
    let waiting: (() => void) | undefined;
    let reads = 0;
    jobs.listInFlight = async () => {
      const view = await read();
      reads += 1;
      if (reads === 1) await new Promise<void>((resolve) => (waiting = resolve));
      if (reads === 2) waiting?.();
      return view;
    };
    // Act
    await Promise.all([dispatch(), dispatch()]);
    // Assess
    const statuses = (await jobs.list()).map((job) => job.status);
    expect(statuses.filter((status) => status === JobStatus.Copying)).toHaveLength(1);
  });

  it('retries with the same token, rather than failing the job, when the outcome of a copy is unknown', async () => {
    // Prepare
    const images = new FakeCopyProvider();
    const { jobs, dispatch } = await setup(5, images, ['m-1']);
    images.failNextCopy({ kind: 'unknown', code: 'AnswerLost', message: 'the connection was reset after the request was sent' });
    // Act
    const outcome = await dispatch();
    const deferred = (await jobs.list()).find((job) => job.lastError?.code === 'AnswerLost');
    // Assess
    expect(outcome.rejected).toBe(0);
    expect(deferred?.status).toBe(JobStatus.Queued);
    expect(deferred?.attempt).toBe(1);
  });

  it('treats a retryable throw as an unknown outcome, and a terminal one as a refusal', async () => {
    // Prepare
    const images = new FakeCopyProvider();
    const { jobs, dispatch } = await setup(5, images, ['m-1', 'm-2']);
    images.failNextCopy(new RetryableError('Http503', 'unavailable'));
    images.failNextCopy(new TerminalError('Forbidden', 'no permission'));
    // Act
    await dispatch();
    const byCode = new Map((await jobs.list()).map((job) => [job.lastError?.code, job]));
    // Assess
    expect(byCode.get('Http503')?.status).toBe(JobStatus.Queued);
    expect(byCode.get('Forbidden')?.status).toBe(JobStatus.Failed);
  });

  it('counts each provider account against its own capacity rule', async () => {
    // Prepare: a tenant-wide limit of 1 on one provider does not hold back another.
    const alibaba = new FakeCopyProvider('alibaba', 'default', 1);
    const { jobs, dispatch } = await setup(5, alibaba, ['m-1', 'm-2']);
    // Act
    const outcome = await dispatch();
    // Assess
    expect(outcome.started).toBe(1);
    expect(alibaba.requests).toHaveLength(1);
    expect((await jobs.list()).filter((job) => job.status === JobStatus.Copying)).toHaveLength(1);
  });

  it('passes every field of the job to the provider: name, description, encryption, tags, source, token', async () => {
    // Prepare: the test policy encrypts copies to cn-beijing and renames them
    const images = new FakeCopyProvider();
    const { jobs, dispatch } = await setup(5, images, ['m-1']);
    const beijing = (await jobs.list()).find((job) => job.destination.region === 'cn-beijing')!;
    const other = (await jobs.list()).find((job) => job.destination.region !== 'cn-beijing')!;
    await jobs.update({ ...other, version: other.version + 1, status: JobStatus.Cancelled });
    // Act
    await dispatch();
    // Assess
    expect(images.requests).toEqual([
      {
        jobId: beijing.id,
        source: { region: 'cn-hangzhou', imageId: 'm-1', sizeGiB: 20 },
        destination: {
          region: 'cn-beijing',
          name: 'm-1-bj',
          description: undefined,
          encrypted: true,
          kmsKeyId: 'key-123',
          tags: { 'image-replicator:managed': 'true', 'image-replicator:source-image': 'm-1', 'image-replicator:source-region': 'cn-hangzhou', 'image-replicator:job': beijing.id },
          options: undefined,
        },
        idempotencyToken: `${beijing.id}-r1-a1`,
        claimedAt: expect.any(Date),
      },
    ]);
  });
});
