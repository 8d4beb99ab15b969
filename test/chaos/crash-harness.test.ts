import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { ManualClock } from '../../shared/core/domain/clock';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { RecordingQueue, recordingQueues } from '../fakes/recording-queue';
import { testPolicyConfig } from '../helpers/policy';
import { CrashHarness, SimulatedCrash } from './crash-harness';


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
    harness.arm({ fn: 'notify', invocation: 1, point: 2 });
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
});
