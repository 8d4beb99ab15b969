import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { RecordingQueue, recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { VersionConflictError } from '../../shared/core/domain/errors';
import { ArmedAction, CrashHarness, SimulatedCrash, targetOf } from './crash-harness';
import { imsRoute } from './ims-fetch';

const dependencies = (): Dependencies & { queues: ReturnType<typeof recordingQueues> } => ({
  config: testPolicyConfig(),
  secrets: new Map(),
  providers: fakeProviders(new FakeCopyProvider()),
  jobs: new InMemoryJobStore(),
  queues: recordingQueues(),
  deadLetters: new RecordingQueue(),
  transport: { post: async () => ({ ok: true, status: 204 }) },
  clock: new ManualClock(),
  wallClock: new ManualClock(),
  logger: silentLogger,
  pause: async () => undefined,
});

/** Lets every pending continuation run, so a zombie that could still act would have acted. */
const drain = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
};

describe('the crash harness', () => {
  it('numbers a before point for every call and an after point for calls with an effect', async () => {
    // Prepare
    const harness = new CrashHarness();
    const raw = dependencies();
    const deps = harness.decorate(raw);

    // Act
    await harness.invoke('poll-status', async () => {
      await deps.jobs.listInFlight();
      await deps.queues.notify.send('{}');
    });

    // Assess
    expect(harness.reached.map((p) => `${p.fn}#${p.invocation}.${p.point} ${p.label}`)).toEqual([
      'poll-status#1.1 jobs.listInFlight · before',
      'poll-status#1.2 queues.notify.send · before',
      'poll-status#1.3 queues.notify.send · after',
    ]);
  });

  it('kills the invocation at the armed point: the race rejects and the zombie performs no further effect', async () => {
    // Prepare
    const harness = new CrashHarness();
    const raw = dependencies();
    const deps = harness.decorate(raw);
    harness.arm({ fn: 'notify', label: 'queues.notify.send · after', nth: 1 });
    let resumed = false;

    // Act
    const result = harness.invoke('notify', async () => {
      await deps.queues.notify.send('first');
      resumed = true;
      await deps.queues.notify.send('second');
    });

    // Assess
    await expect(result).rejects.toBeInstanceOf(SimulatedCrash);
    await drain();
    expect(raw.queues.notify.sent.map((m) => m.body)).toEqual(['first']);
    expect(resumed).toBe(false);
    expect(harness.crashed?.label).toBe('queues.notify.send · after');
  });

  it('crashes at the nth time a handler reaches an await point, counting each invocation apart', async () => {
    // Prepare
    const harness = new CrashHarness();
    const raw = dependencies();
    const deps = harness.decorate(raw);
    harness.arm({ fn: 'start-copy', label: 'queues.startCopy.send · before', nth: 2 });
    const run = () => harness.invoke('start-copy', () => deps.queues.startCopy.send('x'));

    // Act
    const outcomes = await Promise.allSettled([run(), run(), run()]);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(raw.queues.startCopy.sent).toHaveLength(2);
    expect(harness.crashed).toMatchObject({ fn: 'start-copy', invocation: 2, point: 1 });
  });

  it('tells a live caller its write failed although it took effect, and lets the caller go on', async () => {
    // Prepare
    const harness = new CrashHarness();
    const raw = dependencies();
    const deps = harness.decorate(raw);
    harness.arm({ fn: 'notify', label: 'queues.notify.send · after', nth: 1, action: ArmedAction.ConflictAnswer });
    let answer: unknown;

    // Act
    await harness.invoke('notify', async () => {
      answer = await deps.queues.notify.send('first').catch((error: unknown) => error);
      await deps.queues.notify.send('second');
    });

    // Assess
    expect(answer).toBeInstanceOf(VersionConflictError);
    expect(raw.queues.notify.sent.map((m) => m.body)).toEqual(['first', 'second']);
    expect(harness.hits).toMatchObject([{ label: 'queues.notify.send · after', action: ArmedAction.ConflictAnswer }]);
    expect(harness.unreached).toEqual([]);
  });

  it('holds an invocation at its point while others run, and lets it go on when released', async () => {
    // Prepare
    const harness = new CrashHarness();
    const raw = dependencies();
    const deps = harness.decorate(raw);
    const hold = harness.hold({ fn: 'start-copy', label: 'queues.startCopy.send · before', nth: 1 });

    // Act
    const held = harness.invoke('start-copy', () => deps.queues.startCopy.send('stalled'));
    await hold.reached;
    await harness.invoke('start-copy', () => deps.queues.startCopy.send('overtaking'));
    hold.release();
    await held;

    // Assess
    expect(raw.queues.startCopy.sent.map((m) => m.body)).toEqual(['overtaking', 'stalled']);
  });

  it('reports an armed point no run reached, instead of passing', async () => {
    // Prepare
    const harness = new CrashHarness();
    const deps = harness.decorate(dependencies());
    harness.arm({ fn: 'poll-status', label: 'jobs.listInFlight · before', nth: 2 });

    // Act
    await harness.invoke('poll-status', () => deps.jobs.listInFlight());

    // Assess
    expect(harness.unreached).toEqual([{ fn: 'poll-status', label: 'jobs.listInFlight · before', nth: 2 }]);
  });

  it('arms a point of a clean run by its label and occurrence, which a replay reaches again', () => {
    // Prepare
    const reached = [
      { fn: 'poll-status', invocation: 1, point: 1, label: 'jobs.listInFlight · before' },
      { fn: 'poll-status', invocation: 2, point: 1, label: 'jobs.listInFlight · before' },
      { fn: 'poll-status', invocation: 2, point: 2, label: 'queues.notify.send · before' },
    ];

    // Act
    const target = targetOf(reached, reached[1]!);

    // Assess
    expect(target).toEqual({ fn: 'poll-status', label: 'jobs.listInFlight · before', nth: 2 });
  });

  it('names an IMS request by its route, the same whichever region, project, image or job', () => {
    // Prepare
    const requests = [
      ['POST', 'http://127.0.0.1:9/cn-north-4/v1/cloudimages/6f1c2a9e-0b7d-4c1e-9a55-1d2e3f4a5b60/cross_region_copy'],
      ['GET', 'http://127.0.0.1:9/cn-east-3/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/jobs/ff8080814dbd65d7014dc0d2a5a90009'],
      ['GET', 'http://127.0.0.1:9/cn-east-3/v2/cloudimages?name=golden-a'],
    ] as const;

    // Act
    const routes = requests.map(([method, url]) => imsRoute(method, url));

    // Assess
    expect(routes).toEqual(['POST /v1/cloudimages/{id}/cross_region_copy', 'GET /v1/{id}/jobs/{id}', 'GET /v2/cloudimages']);
  });
});
