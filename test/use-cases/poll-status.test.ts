import { beforeEach, describe, expect, it } from 'vitest';
import { PartialDeletionError, RetryableError } from '../../shared/core/domain/errors';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState, ReplicaTag } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { jobIdFor } from '../../shared/core/domain/job-id';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { DISPATCH_LEASE_SECONDS, NOTIFICATION_REQUEUE_SECONDS } from '../../shared/core/domain/retry-policy';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import { STOP_GIVE_UP_SECONDS } from '../../shared/core/use-cases/stop-copy';
import { FIRST_LOOK_SECONDS } from '../../shared/core/domain/look-schedule';

describe('createPollStatus', () => {
  let images: FakeCopyProvider;
  let jobs: InMemoryJobStore;
  let queues: ReturnType<typeof recordingQueues>;
  let clock: ManualClock;
  let poll: ReturnType<typeof createPollStatus>;
  const config = testPolicyConfig();
  const SCOPE = { provider: 'alibaba', account: 'default' } as const;

  beforeEach(() => {
    images = new FakeCopyProvider();
    jobs = new InMemoryJobStore();
    queues = recordingQueues();
    clock = new ManualClock('2026-03-01T00:00:00Z');
    poll = createPollStatus({ providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger, limitCap: 2 });
  });

  /** A stored job for image `id` to cn-shanghai, moved through `events`. */
  const storedJob = async (id: string, sourceState: ImageState, ...events: Parameters<typeof advance>[1][]): Promise<Job> => {
    const source = images.images.get(id) ?? images.addImage({ id, region: 'cn-hangzhou', state: sourceState, tags: { role: 'golden' } });
    const planned = planJobs(config, SCOPE, { ...source, state: sourceState }).find((p) => p.spec.destination.region === 'cn-shanghai');
    if (!planned) throw new Error('policy does not select the image');
    let job = newJob(planned.id, planned.spec, sourceState, clock.now());
    await jobs.putIfAbsent(job);
    for (const event of events) job = await jobs.update(advance(job, event, clock.now()));
    return job;
  };

  const copyingJob = async (id: string, copyId: string, state: ImageState = ImageState.Pending): Promise<Job> => {
    const job = await storedJob(id, ImageState.Available, { type: 'dispatch.claimed' }, { type: 'copy.accepted', handle: copyId, destinationImageId: copyId });
    images.addImage({ id: copyId, region: 'cn-shanghai', state, progressPercent: 0, tags: { [ReplicaTag.Managed]: 'true', [ReplicaTag.Job]: job.id }, createdAt: clock.now().toISOString() });
    // A copy is first looked at a little after it starts (look-schedule.ts).
    clock.advance(FIRST_LOOK_SECONDS * 1000);
    return job;
  };

  it('records progress, then marks the job available and queues its notification', async () => {
    // Prepare
    const job = await copyingJob('m-1', 'm-c1');
    images.setState('m-c1', ImageState.Pending, 40);
    // Act
    await poll();
    const midway = await jobs.get(job.id);
    images.setState('m-c1', ImageState.Available);
    clock.set(midway?.expectedDoneAt ?? '');
    const outcome = await poll();
    // Assess
    expect(midway?.progressPercent).toBe(40);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Available);
    expect(outcome.finished).toBe(1);
    expect(queues.notify.messages()).toEqual([{ type: 'notification.requested', version: 1, jobId: job.id, eventId: `${job.id}.r1.available` }]);
  });

  it('asks the provider once about all its copies in flight, and lets it batch them', async () => {
    // Prepare
    for (const n of [1, 2, 3]) await copyingJob(`m-${n}`, `m-c${n}`);
    // Act
    await poll();
    // Assess
    expect(images.calls.filter((c) => c.op === 'observeCopies')).toEqual([{ op: 'observeCopies', region: 'cn-shanghai' }]);
  });

  it('takes a copy the provider does not recognise as this job\'s as gone, not as done', async () => {
    // Prepare: the handle names an image, but its job tag is another job's
    const job = await copyingJob('m-1', 'm-c1', ImageState.Available);
    images.images.get('m-c1')!.tags = { [ReplicaTag.Job]: 'rj-somebody-else' };
    // Act
    await poll();
    // Assess
    const after = await jobs.get(job.id);
    expect(after?.status).toBe(JobStatus.Queued);
    expect(after?.lastError?.code).toBe('CopyVanished');
  });

  it('reads no finished job: its cost follows the work in flight', async () => {
    const done = await copyingJob('m-1', 'm-c1', ImageState.Available);
    await poll();
    images.calls.length = 0;
    expect((await jobs.get(done.id))?.status).toBe(JobStatus.Available);
    await jobs.update({ ...(await jobs.get(done.id))!, notification: { status: 'delivered', webhooks: {} }, version: (await jobs.get(done.id))!.version + 1 });
    const outcome = await poll();
    expect(outcome.inFlight).toBe(0);
    expect(images.calls).toHaveLength(0);
  });

  it('cancels a copy that outlived its timeout and records it as timed out', async () => {
    const job = await copyingJob('m-1', 'm-c1');
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    await poll();
    expect(images.cancelled).toEqual(['m-c1']);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.TimedOut);
    expect(queues.notify.sent).toHaveLength(1);
  });

  it('records a timeout when the overdue copy is already gone: a cancel whose outcome was not recorded', async () => {
    const job = await copyingJob('m-1', 'm-c1');
    images.images.delete('m-c1');
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    await poll();
    expect(images.cancelled).toEqual([]);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.TimedOut);
  });

  it('watches an overdue copy the provider cannot stop, deletes it when it finishes, and only then records the timeout', async () => {
    // Prepare
    const job = await copyingJob('m-1', 'm-c1');
    images.answerCancelWith({ kind: 'unsupported' });
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    // Act: past its timeout, still running; then it finishes anyway
    await poll();
    const whileRunning = await jobs.get(job.id);
    images.setState('m-c1', ImageState.Available);
    clock.advance(60_000);
    await poll();
    // Assess
    expect(whileRunning?.status).toBe(JobStatus.Stopping);
    expect(queues.notify.sent).toHaveLength(1);
    expect(images.deleted).toEqual(['m-c1']);
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.TimedOut);
    expect(ended?.lastError?.code).toBe('CopyTimedOut');
  });

  it('takes a stopping copy that vanished as stopped, not lost: a poll whose clock runs behind agrees with the one that stopped it', async () => {
    // Prepare: another poll, its clock ahead, decided the timeout and stopped the copy
    const job = await copyingJob('m-1', 'm-c1');
    const stopping = await jobs.update(advance(job, { type: 'copy.stopping', outcome: JobStatus.TimedOut }, clock.now()));
    images.images.delete('m-c1');
    // Act: this poll's clock says the copy still has time
    await poll();
    // Assess
    const ended = await jobs.get(stopping.id);
    expect(ended?.status).toBe(JobStatus.TimedOut);
    expect(ended?.lastError?.code).toBe('CopyTimedOut');
  });

  it('gives up on a copy that cannot be stopped and never ends, and says it may remain', async () => {
    // Prepare
    const job = await copyingJob('m-1', 'm-c1');
    images.answerCancelWith({ kind: 'unsupported' });
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    await poll();
    // Act
    clock.advance((STOP_GIVE_UP_SECONDS + 1) * 1000);
    await poll();
    // Assess
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.TimedOut);
    expect(ended?.lastError?.message).toMatch(/may still be in the destination/);
    expect(images.images.has('m-c1')).toBe(true);
  });

  it('lets a copy that finished between the look and the cancel stand', async () => {
    // Prepare
    const job = await copyingJob('m-1', 'm-c1');
    images.answerCancelWith({ kind: 'too-late' });
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    // Act
    await poll();
    const resumed = await jobs.get(job.id);
    images.setState('m-c1', ImageState.Available);
    await poll();
    // Assess
    expect(resumed?.status).toBe(JobStatus.Copying);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Available);
  });

  it('schedules a delayed look at a copy its progress says ends before the next tick, and that look sees it done', async () => {
    // Prepare: 80 % after 200 s: done 48 s from now
    const job = await copyingJob('m-1', 'm-c1');
    clock.advance(80_000);
    images.setState('m-c1', ImageState.Pending, 80);
    // Act
    await poll();
    const [look] = queues.poll.sent;
    clock.advance((look?.delaySeconds ?? 0) * 1000);
    images.setState('m-c1', ImageState.Available);
    await poll({ kind: 'look', until: new Date(JSON.parse(look?.body ?? '{}').until) });
    // Assess
    expect(look?.delaySeconds).toBe(48);
    expect(queues.poll.messages()).toEqual([{ type: 'poll.requested', version: 1, until: '2026-03-01T00:04:20.000Z' }]);
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Available);
  });

  it('looks only at the copies due on a scheduled look, and at no source being built', async () => {
    // Prepare: one copy due now, one in ten minutes, in regions a look sees one by one
    images.observesWholeRegions = false;
    const due = await copyingJob('m-1', 'm-c1');
    const later = await copyingJob('m-2', 'm-c2');
    await jobs.update({ ...due, version: due.version + 1, expectedDoneAt: clock.now().toISOString() });
    await jobs.update({ ...later, version: later.version + 1, expectedDoneAt: new Date(clock.now().getTime() + 600_000).toISOString() });
    await storedJob('m-3', ImageState.Pending);
    // Act
    await poll({ kind: 'look', until: new Date(clock.now().getTime() + 60_000) });
    // Assess
    expect(images.observed).toEqual([['m-c1']]);
    expect(images.calls.filter((c) => c.op === 'listImages')).toEqual([]);
  });

  it('looks at every copy of a region where one is due, when one look sees them all', async () => {
    // Prepare
    images.observesWholeRegions = true;
    const due = await copyingJob('m-1', 'm-c1');
    const later = await copyingJob('m-2', 'm-c2');
    await jobs.update({ ...due, version: due.version + 1, expectedDoneAt: clock.now().toISOString() });
    await jobs.update({ ...later, version: later.version + 1, expectedDoneAt: new Date(clock.now().getTime() + 600_000).toISOString() });
    // Act
    await poll({ kind: 'look', until: new Date(clock.now().getTime() + 60_000) });
    // Assess
    expect(images.observed.map((handles) => [...handles].sort())).toEqual([['m-c1', 'm-c2']]);
  });

  it('writes the progress of many copies in one batch', async () => {
    // Prepare
    for (const n of [1, 2, 3]) await copyingJob(`m-${n}`, `m-c${n}`);
    for (const n of [1, 2, 3]) images.setState(`m-c${n}`, ImageState.Pending, 10 * n);
    const batches: number[] = [];
    const updateMany = jobs.updateMany.bind(jobs);
    jobs.updateMany = async (many) => {
      batches.push(many.length);
      return updateMany(many);
    };
    // Act
    await poll();
    // Assess
    expect(batches).toEqual([3]);
    expect((await jobs.list()).map((j) => j.progressPercent).sort()).toEqual([10, 20, 30]);
  });

  it('gives up on a stopping copy whose cancel keeps failing, a day after the decision, and says it may remain', async () => {
    // Prepare
    const job = await copyingJob('m-1', 'm-c1');
    images.cancelCopy = async () => {
      throw new RetryableError('Throttling', 'slow down');
    };
    clock.advance((job.copyTimeoutSeconds + 1) * 1000);
    await poll().catch(() => undefined);
    const stopping = await jobs.get(job.id);
    // Act
    clock.advance((STOP_GIVE_UP_SECONDS + 1) * 1000);
    await poll().catch(() => undefined);
    // Assess
    expect(stopping?.status).toBe(JobStatus.Stopping);
    const ended = await jobs.get(job.id);
    expect(ended?.status).toBe(JobStatus.TimedOut);
    expect(ended?.lastError?.message).toMatch(/may still be in the destination/);
  });

  it('does not fork a failing look: no next look is scheduled and nothing is thrown for redelivery', async () => {
    // Prepare: a copy due now, in a region that cannot be read, and another due in 30 s
    const job = await copyingJob('m-1', 'm-c1');
    await jobs.update({ ...job, version: job.version + 1, expectedDoneAt: clock.now().toISOString() });
    const next = await copyingJob('m-2', 'm-c2');
    await jobs.update({ ...next, version: next.version + 1, expectedDoneAt: new Date(clock.now().getTime() + 30_000).toISOString() });
    images.observeCopies = async () => {
      throw new RetryableError('ServiceUnavailable', 'down');
    };
    // Act
    const outcome = await poll({ kind: 'look', until: new Date(clock.now().getTime() + 60_000) });
    // Assess
    expect(outcome.nextLookAt).toBeUndefined();
    expect(queues.poll.sent).toEqual([]);
  });

  it('keeps polling the other jobs when one cannot be read, and reports the failure at the end', async () => {
    const stuck = await copyingJob('m-1', 'm-c1');
    const done = await copyingJob('m-2', 'm-c2', ImageState.Available);
    const observe = images.observeCopies.bind(images);
    images.observeCopies = async (copies) => {
      const answers = new Map(await observe(copies));
      answers.set(stuck.id, { state: 'unobserved', retryable: true, code: 'Throttling.User', message: 'slow down' });
      return answers;
    };
    await expect(poll()).rejects.toThrow(/slow down/);
    expect((await jobs.get(done.id))?.status).toBe(JobStatus.Available);
    expect((await jobs.get(stuck.id))?.status).toBe(JobStatus.Copying);
  });

  it('deletes a failed copy before queueing the retry', async () => {
    const job = await copyingJob('m-1', 'm-c1', ImageState.Failed);
    await poll();
    const retried = await jobs.get(job.id);
    expect(images.deleted).toEqual(['m-c1']);
    expect(retried?.status).toBe(JobStatus.Queued);
    expect(retried?.attempt).toBe(2);
  });

  it('retries a failed copy whose leftover lost its image but not a snapshot for good: the part is left behind, the job goes on', async () => {
    // Prepare: deleting the leftover removes its image, then a snapshot fails for good (a missing permission)
    const job = await copyingJob('m-1', 'm-c1', ImageState.Failed);
    const remove = images.deleteCopy.bind(images);
    images.deleteCopy = async (copy) => {
      await remove(copy);
      throw new PartialDeletionError('the copy has no image left in cn-shanghai, and its snapshot s-9 is not deleted yet: Forbidden.RAM', { retryable: false, remaining: ['s-9'] });
    };
    // Act
    await poll();
    // Assess
    const retried = await jobs.get(job.id);
    expect([retried?.status, retried?.attempt]).toEqual([JobStatus.Queued, 2]);
  });

  it('moves a waiting job to the queue once its source is available and nudges start-copy', async () => {
    const job = await storedJob('m-1', ImageState.Pending);
    images.setState('m-1', ImageState.Available);
    await poll();
    expect((await jobs.get(job.id))?.status).toBe(JobStatus.Queued);
    expect(queues.startCopy.messages()).toEqual([
      { type: 'dispatch.requested', version: 2, reason: 'poll-status', scopes: [{ provider: 'alibaba', account: 'default', regions: ['cn-hangzhou'] }] },
    ]);
  });

  it('does not nudge start-copy while the only queued job waits for its source image to be free', async () => {
    await copyingJob('m-1', 'm-c1');
    const other = planJobs(config, SCOPE, images.images.get('m-1')!).find((p) => p.spec.destination.region === 'cn-beijing')!;
    await jobs.putIfAbsent(newJob(other.id, other.spec, ImageState.Available, clock.now()));
    await poll();
    expect(queues.startCopy.sent).toHaveLength(0);
  });

  it('finds the copy of a dispatch whose dispatcher died, by its job tag', async () => {
    const job = await storedJob('m-1', ImageState.Available, { type: 'dispatch.claimed' });
    images.addImage({ id: 'm-lost', region: 'cn-shanghai', state: ImageState.Pending, tags: { [ReplicaTag.Job]: job.id } });
    clock.advance((DISPATCH_LEASE_SECONDS + 1) * 1000);
    await poll();
    const recovered = await jobs.get(job.id);
    expect(recovered?.status).toBe(JobStatus.Copying);
    expect(recovered?.destinationImageId).toBe('m-lost');
  });

  it('queues a dispatch with no copy again, keeping its attempt and so its token', async () => {
    const job = await storedJob('m-1', ImageState.Available, { type: 'dispatch.claimed' });
    clock.advance((DISPATCH_LEASE_SECONDS + 1) * 1000);
    await poll();
    const requeued = await jobs.get(job.id);
    expect(requeued?.status).toBe(JobStatus.Queued);
    expect(requeued?.attempt).toBe(job.attempt);
    expect(jobIdFor({ ...SCOPE, sourceRegion: 'cn-hangzhou', sourceImageId: 'm-1', destinationRegion: 'cn-shanghai' })).toBe(job.id);
  });

  it('queues a notification again when nobody delivered it for a while', async () => {
    await copyingJob('m-1', 'm-c1', ImageState.Available);
    await poll();
    queues.notify.clear();
    clock.advance(NOTIFICATION_REQUEUE_SECONDS * 1000);
    const outcome = await poll();
    clock.advance(60_000);
    const next = await poll();
    expect(outcome.notificationsQueued).toBe(1);
    expect(next.notificationsQueued).toBe(0);
  });

  it('goes on with a deletion retention began, and leaves one for the next pass when it has no time for it', async () => {
    // Prepare: two available copies whose deletion began (a retryable refusal left them pruning)
    const copies = [await copyingJob('m-1', 'm-c1', ImageState.Available), await copyingJob('m-2', 'm-c2', ImageState.Available)];
    await poll();
    const pruning = async (job: Job) => {
      let told = (await jobs.get(job.id))!;
      for (const webhook of Object.keys(told.notification.webhooks)) {
        told = await jobs.update(advance(told, { type: 'webhook.delivered', eventId: told.notification.eventId ?? '', webhook }, clock.now()));
      }
      return jobs.update(advance(told, { type: 'prune.started', reason: 'past retention' }, clock.now()));
    };
    const first = await pruning(copies[0]!);
    const second = await pruning(copies[1]!);
    let asked = 0;
    const timed = createPollStatus({ providers: fakeProviders(images), jobs, queues, clock, logger: silentLogger, limitCap: 2, deadline: { allows: (ms) => ms < 10_000 || (asked += 1) <= 1, remainingMs: () => 0 } });

    // Act
    await timed();

    // Assess
    const statuses = [(await jobs.get(first.id))?.status, (await jobs.get(second.id))?.status];
    expect(statuses.filter((status) => status === JobStatus.Pruned)).toHaveLength(1);
    expect(statuses.filter((status) => status === JobStatus.Pruning)).toHaveLength(1);
    expect(images.deleted).toHaveLength(1);
  });
});
