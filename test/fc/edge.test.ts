import { describe, expect, it } from 'vitest';
import { makeStartCopyHandler } from '../../functions/start-copy/handler';
import type { Deadline } from '../../shared/core/domain/deadline';
import { ImageState } from '../../shared/core/domain/image';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJobs } from '../../shared/core/domain/policy';
import { createDispatch } from '../../shared/core/use-cases/dispatch';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { fakeProviders } from '../fakes/fake-copy-provider';
import { RecordingQueue } from '../fakes/recording-queue';
import { dispatchRequested, queueItem, replicationRequested, timerItem } from '../fuzz/kit/fc-inputs';
import { createFakeWorld, GOLDEN_IMAGE } from '../fuzz/kit/handler-wiring';

describe('the FC edge runs inputs under the invocation deadline', () => {
  it('starts no message when the invocation has no time left, and puts each back on its queue untried', async () => {
    // Prepare: FC would kill this invocation in 3 s, less than the reserve the edge keeps
    const world = await createFakeWorld();
    const batch = [queueItem('a', replicationRequested(GOLDEN_IMAGE)), queueItem('b', dispatchRequested())];
    const handler = makeStartCopyHandler(world.wiring);
    const jobsBefore = (await world.jobs.list()).length;
    const queue = world.wiring.dependencies(undefined).queues.startCopy as RecordingQueue;
    // Act
    const run = handler(Buffer.from(JSON.stringify(batch)), { requestId: 'r1', function: { name: 'start-copy', timeout: 3 } });
    // Assess
    await expect(run).resolves.toMatchObject({ results: [], requeued: 2, retry: { code: 'DeadlineNear' } });
    expect((await world.jobs.list()).length).toBe(jobsBefore);
    expect(world.images.requests).toEqual([]);
    expect(queue.sent.map((m) => ({ ...(JSON.parse(m.body) as object), delaySeconds: m.delaySeconds }))).toMatchObject([
      { type: 'message.requeued', firstMessageId: 'a', attempts: 0, delaySeconds: 0 },
      { type: 'message.requeued', firstMessageId: 'b', attempts: 0, delaySeconds: 0 },
    ]);
  });

  it('starts no timer input when the invocation has no time left, and asks for the whole delivery again', async () => {
    // Prepare: a sweep only its trigger can deliver again
    const world = await createFakeWorld();
    const handler = makeStartCopyHandler(world.wiring);
    // Act
    const run = handler(Buffer.from(JSON.stringify(timerItem())), { requestId: 'r1', function: { name: 'start-copy', timeout: 3 } });
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'DeadlineNear', retryable: true });
    expect(world.images.requests).toEqual([]);
  });

  it('runs every input when the invocation has its time', async () => {
    // Prepare
    const world = await createFakeWorld();
    const batch = [queueItem('a', replicationRequested(GOLDEN_IMAGE))];
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(batch)), { requestId: 'r2', function: { timeout: 300 } })) as {
      results: unknown[];
    };
    // Assess
    expect(outcome.results).toHaveLength(1);
    expect(world.images.requests.length).toBeGreaterThan(0);
  });

  it('makes no claim the invocation has no time to finish', async () => {
    // Prepare: a queued job whose copy could start now
    const world = await createFakeWorld();
    const deps = world.wiring.dependencies(undefined);
    const image = world.images.addImage({ id: 'm-golden0002', region: 'cn-hangzhou', tags: { role: 'golden' } });
    const [planned] = planJobs(deps.config, { provider: 'alibaba', account: 'default' }, image);
    await world.jobs.putIfAbsent(newJob(planned!.id, planned!.spec, ImageState.Available, deps.clock.now()));
    const exhausted: Deadline = { allows: () => false, remainingMs: () => 0 };
    const dispatchUntil = (deadline?: Deadline) =>
      createDispatch({ providers: fakeProviders(world.images), jobs: world.jobs, writer: createJobWriter(world.jobs, deps.clock, silentLogger, new RecordingQueue()), clock: deps.clock, logger: silentLogger, deadline });
    // Act
    const late = await dispatchUntil(exhausted)();
    const inTime = await dispatchUntil()();
    // Assess
    expect(late).toMatchObject({ started: 0, waiting: 1 });
    expect(inTime.started).toBe(1);
    expect(world.images.requests.map((r) => r.jobId)).toEqual([planned!.id]);
  });
});
