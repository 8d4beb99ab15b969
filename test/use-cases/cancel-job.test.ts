import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { createCancelJob } from '../../shared/core/use-cases/cancel-job';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { createJsonLogger, silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { storedJob } from '../helpers/stored-job';

describe('cancelling a job', () => {
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let queues: ReturnType<typeof recordingQueues>;
  let clock: ManualClock;
  let cancel: ReturnType<typeof createCancelJob>;
  let poll: ReturnType<typeof createPollStatus>;

  beforeEach(() => {
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    queues = recordingQueues();
    clock = new ManualClock('2026-03-01T00:00:00Z');
    const deps = { providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger };
    cancel = createCancelJob(deps);
    poll = createPollStatus(deps);
  });

  const copyingJob = async (): Promise<Job> => {
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', state: ImageState.Available, tags: { role: 'golden' } });
    const job = await storedJob({ jobs, clock, config: testPolicyConfig() }, source, 'cn-shanghai', { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: 'm-c1', destinationImageId: 'm-c1' });
    images.addImage({ id: 'm-c1', region: 'cn-shanghai', state: ImageState.Pending, progressPercent: 10, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id } });
    return job;
  };

  it('cancels the running copy at the provider and ends the job cancelled, with the reason', async () => {
    // Prepare
    const job = await copyingJob();
    // Act
    const after = await cancel(job.id, 'wrong image');
    // Assess
    expect(images.cancelled).toEqual(['m-c1']);
    expect(after.status).toBe(JobStatus.Cancelled);
    expect(after.lastError?.message).toBe('wrong image');
  });

  it('says in the log what the provider kept of a copy it cancelled by deleting it', async () => {
    // Prepare: cancelling deletes the copy's snapshots, and the provider keeps one
    const job = await copyingJob();
    images.answerCancelWith({ kind: 'cancelled', leftBehind: [{ id: 's-kept0001', why: 'SnapshotCreatedDisk' }] });
    const lines: string[] = [];
    const logged = createCancelJob({ providers: fakeProviders(images), jobs, queues, clock, logger: createJsonLogger({ sink: (line) => lines.push(line) }) });
    // Act
    const after = await logged(job.id, 'wrong image');
    // Assess
    expect(after.status).toBe(JobStatus.Cancelled);
    const warned = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.level === 'warn');
    expect(warned).toMatchObject({ message: expect.stringMatching(/kept some of its parts, still billed/), jobId: job.id, leftBehind: ['"s-kept0001"'], why: '"SnapshotCreatedDisk"' });
  });

  it('leaves a copy the provider cannot stop to poll-status, which deletes it when it ends and records the cancel then', async () => {
    // Prepare
    const job = await copyingJob();
    images.answerCancelWith({ kind: 'unsupported' });
    // Act
    const after = await cancel(job.id, 'wrong image');
    await poll();
    const stillStopping = await jobs.get(job.id);
    images.setState('m-c1', ImageState.Available);
    await poll();
    // Assess
    expect(after.status).toBe(JobStatus.Stopping);
    expect(stillStopping?.status).toBe(JobStatus.Stopping);
    expect(images.deleted).toEqual(['m-c1']);
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.Cancelled);
    expect(ended?.lastError?.message).toBe('wrong image');
  });

  it('does not let a copy that ended as it was cancelled undo the cancel', async () => {
    // Prepare: the copy ends (failed) the moment the operator cancels
    const job = await copyingJob();
    images.answerCancelWith({ kind: 'too-late' });
    // Act
    const after = await cancel(job.id, 'wrong image');
    images.images.get('m-c1')!.state = ImageState.Failed;
    await poll();
    // Assess: stopped, not retried
    expect(after.status).toBe(JobStatus.Stopping);
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.Cancelled);
    expect(images.requests).toEqual([]);
  });

  it('deletes a copy that finished as it was cancelled, at the next look, and ends the job cancelled', async () => {
    // Prepare: the copy is available by the time the operator's cancel reaches the provider
    const job = await copyingJob();
    images.setState('m-c1', ImageState.Available);
    // Act
    const after = await cancel(job.id, 'wrong image');
    await poll();
    // Assess: no one was told it was available; nothing billed is left
    expect(after.status).toBe(JobStatus.Stopping);
    expect(images.deleted).toEqual(['m-c1']);
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.Cancelled);
    expect(queues.notify.sent).toHaveLength(1);
  });

  it('cancels a queued job without calling the provider, and queues its notification', async () => {
    // Prepare
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', tags: { role: 'golden' } });
    const job = await storedJob({ jobs, clock, config: testPolicyConfig() }, source, 'cn-shanghai');
    // Act
    const after = await cancel(job.id, 'not needed');
    // Assess
    expect(images.cancelled).toEqual([]);
    expect(after.status).toBe(JobStatus.Cancelled);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Cancelled);
    expect(queues.notify.sent).toHaveLength(1);
  });

  it('refuses while the copy is being started, so no copy is left untracked', async () => {
    // Prepare
    const source = images.addImage({ id: 'm-1', region: 'cn-hangzhou', tags: { role: 'golden' } });
    const job = await storedJob({ jobs, clock, config: testPolicyConfig() }, source, 'cn-shanghai', { type: 'dispatch.claimed' });
    // Act
    const attempt = cancel(job.id, 'x');
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'JobDispatching', retryable: true });
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Dispatching);
  });

  it('refuses an unknown job and one that already ended', async () => {
    // Prepare
    const job = await copyingJob();
    await cancel(job.id, 'first');
    // Act
    const unknown = cancel('rj-nope', 'x');
    const ended = cancel(job.id, 'again');
    // Assess
    await expect(unknown).rejects.toMatchObject({ code: 'JobNotFound' });
    await expect(ended).rejects.toMatchObject({ code: 'JobFinished' });
  });

  it('refuses to cancel a job that is already stopping its copy', async () => {
    // Prepare
    const job = await copyingJob();
    images.answerCancelWith({ kind: 'unsupported' });
    await cancel(job.id, 'first');
    // Act
    const second = cancel(job.id, 'second');
    // Assess
    await expect(second).rejects.toMatchObject({ code: 'JobStopping' });
  });
});
