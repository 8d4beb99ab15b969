import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { RetryableError } from '../../shared/core/domain/errors';
import { ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { jobIdFor } from '../../shared/core/domain/job-id';
import { advance } from '../../shared/core/domain/job-transitions';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';

describe('createStartCopy', () => {
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let queues: ReturnType<typeof recordingQueues>;
  let clock: ManualClock;
  let startCopy: ReturnType<typeof createStartCopy>;

  beforeEach(() => {
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    queues = recordingQueues();
    clock = new ManualClock('2026-03-01T00:00:00Z');
    startCopy = createStartCopy({ config: testPolicyConfig(), providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger });
  });

  const golden = (id: string, state: ImageState = ImageState.Available) =>
    images.addImage({ id, region: 'cn-hangzhou', name: `golden-${id}`, state, tags: { role: 'golden' } });

  it('creates one job per destination for a new image and starts its first copy', async () => {
    // Prepare
    golden('m-1');
    // Act
    const outcome = await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    // Assess
    expect(outcome.jobsCreated).toBe(2);
    expect(outcome.dispatch?.started).toBe(1);
    expect(images.copies).toHaveLength(1);
    const statuses = (await jobs.list()).map((j) => j.status).sort();
    expect(statuses).toEqual([JobStatus.Copying, JobStatus.Queued]);
  });

  it('tags the copy with its source and job and passes encryption, name template and a job-derived token', async () => {
    golden('m-1');
    images.failNextCopy({ kind: 'refused', reason: 'busy', code: 'Conflict', message: 'busy' });
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    clock.advance(60_000);
    await startCopy({ kind: 'dispatch', reason: 'test' });
    const copy = images.copies[0];
    const jobId = jobIdFor({ provider: 'alibaba', account: 'default', sourceRegion: 'cn-hangzhou', sourceImageId: 'm-1', destinationRegion: copy?.destination.region ?? '' });
    expect(copy?.destination.tags).toMatchObject({ [ReplicaTag.SourceImage]: 'm-1', [ReplicaTag.Job]: jobId, [ReplicaTag.Managed]: 'true' });
    expect(copy?.idempotencyToken).toBe(`${jobId}-r1-a1`);
    const beijing = images.copies.find((c) => c.destination.region === 'cn-beijing')?.destination;
    const beijingJob = (await jobs.list()).find((j) => j.destination.region === 'cn-beijing');
    expect(beijing ?? beijingJob?.destination).toMatchObject({ encrypted: true, kmsKeyId: 'key-123' });
    expect(beijingJob?.destination.imageName).toBe('golden-m-1-bj');
  });

  it('never runs two copies of one source image at once', async () => {
    golden('m-1');
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    const again = await startCopy({ kind: 'dispatch', reason: 'test' });
    expect(again.dispatch).toEqual({ started: 0, deferred: 0, rejected: 0, waiting: 1 });
    expect(images.copies).toHaveLength(1);
  });

  it('keeps at most the configured number of copies running per source region', async () => {
    ['m-1', 'm-2', 'm-3'].forEach((id) => golden(id));
    const outcome = await startCopy({ kind: 'sweep' });
    expect(outcome.jobsCreated).toBe(6);
    expect(outcome.dispatch?.started).toBe(2);
    expect(images.copies).toHaveLength(2);
  });

  it('is idempotent: the same event twice creates no second job and no second copy', async () => {
    golden('m-1');
    const event = { kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' } as const;
    await startCopy(event);
    const second = await startCopy(event);
    expect(second.jobsCreated).toBe(0);
    expect(images.copies).toHaveLength(1);
    expect(await jobs.list()).toHaveLength(2);
  });

  it('makes a job wait while its source is still being created', async () => {
    golden('m-1', ImageState.Pending);
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    expect((await jobs.list()).map((j) => j.status)).toEqual([JobStatus.WaitingForSource, JobStatus.WaitingForSource]);
    expect(images.copies).toHaveLength(0);
  });

  it('ignores images no policy selects, and our own copies', async () => {
    images.addImage({ id: 'm-other', region: 'cn-hangzhou', tags: { role: 'scratch' } });
    images.addImage({ id: 'm-ours', region: 'cn-hangzhou', tags: { role: 'golden', [ReplicaTag.Managed]: 'true' } });
    const outcome = await startCopy({ kind: 'sweep' });
    expect(outcome.jobsCreated).toBe(0);
  });

  it('defers on throttling without failing the job, and stops dispatching for this invocation', async () => {
    golden('m-1');
    golden('m-2');
    images.failNextCopy({ kind: 'refused', reason: 'throttled', code: 'Throttling.User', message: 'Request was denied due to user flow control.' });
    const outcome = await startCopy({ kind: 'sweep' });
    expect(outcome.dispatch).toMatchObject({ started: 0, rejected: 0 });
    expect(images.requests).toHaveLength(1);
    const throttled = (await jobs.list()).filter((j) => j.lastError?.code === 'Throttling.User');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]?.status).toBe(JobStatus.Queued);
    expect(throttled[0]?.notBefore).toBeDefined();
    expect((await jobs.list()).every((j) => j.status === JobStatus.Queued)).toBe(true);
  });

  it('fails the job with the API code on a terminal error and queues its notification', async () => {
    golden('m-1');
    images.failNextCopy({ kind: 'refused', reason: 'quota', code: 'QuotaExceed.Image', message: 'The number of images exceeds the limit (100).' });
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    const failed = (await jobs.list()).find((j) => j.status === JobStatus.Failed);
    expect(failed?.lastError?.code).toBe('QuotaExceed.Image');
    expect(queues.notify.messages()).toEqual([{ type: 'notification.requested', version: 1, jobId: failed?.id, eventId: `${failed?.id}.r1.failed` }]);
  });

  it('records the copy a provider found again instead of making it (adopted)', async () => {
    golden('m-1');
    const jobId = jobIdFor({ provider: 'alibaba', account: 'default', sourceRegion: 'cn-hangzhou', sourceImageId: 'm-1', destinationRegion: 'cn-shanghai' });
    images.failNextCopy({ kind: 'started', handle: 'm-earlier', imageId: 'm-earlier', adopted: true });
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    const job = await jobs.get(jobId);
    expect(job?.status).toBe(JobStatus.Copying);
    expect(job?.destinationImageId).toBe('m-earlier');
  });

  it('reopens failed jobs on the nightly sweep: whatever is missing gets copied', async () => {
    golden('m-1');
    images.failNextCopy({ kind: 'refused', reason: 'quota', code: 'QuotaExceed.Image', message: 'full' });
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    const failed = (await jobs.list()).find((j) => j.status === JobStatus.Failed)!;
    await jobs.update(advance(failed, { type: 'webhook.delivered', eventId: failed.notification.eventId!, webhook: 'ops' }, clock.now()));
    clock.advance(24 * 3600_000);
    const outcome = await startCopy({ kind: 'sweep' });
    expect(outcome.jobsReopened).toBe(1);
    const reopened = (await jobs.list()).find((j) => j.round === 2);
    expect(reopened?.status).toBe(JobStatus.Queued);
  });

  it('leaves a failed job alone while its failure is still being notified', async () => {
    golden('m-1');
    images.failNextCopy({ kind: 'refused', reason: 'quota', code: 'QuotaExceed.Image', message: 'full' });
    await startCopy({ kind: 'image-created', origin: 'event:ev-1', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-1' });
    const outcome = await startCopy({ kind: 'sweep' });
    expect(outcome.jobsReopened).toBe(0);
  });

  it('fails and notifies the jobs of an explicitly requested image that does not exist, with the API code', async () => {
    // Act
    await startCopy({ kind: 'replicate', origin: 'cli', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-ghost', policy: 'golden' });
    // Assess
    const failed = await jobs.list();
    expect(failed.map((j) => [j.status, j.lastError?.code])).toEqual([
      [JobStatus.Failed, 'SourceImageNotFound'],
      [JobStatus.Failed, 'SourceImageNotFound'],
    ]);
    expect(queues.notify.sent).toHaveLength(2);
  });

  it('only logs an event for an unknown image nobody asked for by name', async () => {
    const outcome = await startCopy({ kind: 'image-created', origin: 'event:ev', provider: 'alibaba', account: 'default', region: 'cn-hangzhou', imageId: 'm-ghost' });
    expect(outcome.jobsCreated).toBe(0);
    expect(await jobs.list()).toEqual([]);
  });

  it('sweeps the other source regions when one fails, and reports a retryable failure at the end', async () => {
    const config = testPolicyConfig(`
version: 1
policies:
  - name: a
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
  - name: b
    source: { region: cn-qingdao, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
`);
    golden('m-1');
    const flaky: FakeCopyProvider = images;
    const listImages = flaky.listImages.bind(flaky);
    flaky.listImages = async (region, query) => {
      if (region === 'cn-qingdao') throw new RetryableError('Throttling.User', 'slow down');
      return listImages(region, query);
    };
    const sweep = createStartCopy({ config, providers: fakeProviders(flaky), jobs, queues, clock, logger: silentLogger });
    await expect(sweep({ kind: 'sweep' })).rejects.toThrow(/slow down/);
    expect(await jobs.list()).toHaveLength(1);
  });
});
