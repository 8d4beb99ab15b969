import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mnsQueueEvent } from '../../runtime/fc-events';
import { LocalRuntime } from '../../runtime/local-runtime';
import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { ManualClock } from '../../shared/core/domain/clock';
import { ImageState } from '../../shared/core/domain/image';
import { JobStatus } from '../../shared/core/domain/job';
import { encodeMessage, PollRequestedV1 } from '../../shared/core/messages/messages';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { testPolicyConfig } from '../helpers/policy';

const START = Date.parse('2026-11-01T00:00:00Z');
const SECOND = 1_000;

/**
 * The real poll-status handler in the local runtime, handed a batch of delayed looks as FC's MNS
 * trigger hands one over, with one copy running: half done at the tick two minutes after its start,
 * so predicted to end at about +240 s.
 */
const lookWorld = async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-looks-'));
  const clock = new ManualClock(new Date(START).toISOString());
  const images = new FakeCopyProvider();
  images.addImage({ id: 'm-golden0001', region: 'cn-hangzhou', sizeGiB: 40, tags: { role: 'golden' } });
  const config = testPolicyConfig();
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: resolveWebhookSecrets(config, { OPS_WEBHOOK_SECRET: 'look-webhook-secret-0123456789' }),
    providers: fakeProviders(images),
    transport: { post: async () => ({ ok: true, status: 204 }) },
    clock,
    wallClock: clock,
    logger: silentLogger,
  });
  await runtime.imageCreated('cn-hangzhou', 'm-golden0001');
  await runtime.step();
  const [started] = await runtime.jobs.listInFlight();
  clock.advance(120 * SECOND);
  images.setState(started?.destinationImageId ?? '', ImageState.Pending, 50);
  await runtime.poll();
  const look = (untilMs: number, messageId: string) => ({
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: encodeMessage(PollRequestedV1, { type: 'poll.requested', version: 1, until: new Date(untilMs).toISOString() }),
    dequeueCount: 1,
    enqueuedAt: clock.now(),
  });
  const deliverLooks = (...untils: number[]) => deliver(...untils.map((until, index) => ({ until, messageId: `look-${index}` })));
  /** Looks by message id: the same id twice is one message delivered again. */
  const deliver = (...looks: { until: number; messageId: string }[]) =>
    runtime.invokeRaw(
      'poll-status',
      mnsQueueEvent(
        'poll',
        looks.map(({ until, messageId }) => look(until, messageId)),
        clock.now(),
      ),
    );
  const close = () => {
    runtime.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { runtime, clock, deliverLooks, deliver, close };
};

describe('looks delivered together', () => {
  let world: Awaited<ReturnType<typeof lookWorld>> | undefined;
  afterEach(() => {
    world?.close();
    world = undefined;
  });

  it('look over the widest of their windows: a stale look first in the batch does not end the chain of looks', async () => {
    // Prepare: at +200 s a stale look (its window ended at +180 s) comes in one batch with the
    // current one (window to +250 s)
    world = await lookWorld();
    const [copying] = await world.runtime.jobs.listInFlight();
    world.clock.advance(80 * SECOND);

    // Act
    await world.deliverLooks(START + 180 * SECOND, START + 250 * SECOND);

    // Assess: one look scheduled, at the copy's predicted end, carrying the current window
    expect(copying?.status).toBe(JobStatus.Copying);
    const due = Date.parse(copying?.expectedDoneAt ?? '');
    expect(due).toBeGreaterThan(START + 230 * SECOND);
    expect(due).toBeLessThan(START + 250 * SECOND);
    expect(await world.runtime.pollQueue.nextVisibleAt()).toEqual(new Date(due));
    world.clock.advance(due - world.clock.now().getTime());
    const [scheduled, ...others] = await world.runtime.pollQueue.receive(10, 60);
    expect(others).toEqual([]);
    expect(JSON.parse(scheduled?.body ?? '{}')).toEqual({ type: 'poll.requested', version: 1, until: new Date(START + 250 * SECOND).toISOString() });
  });

  it('leave out a look this instance already ran: delivered again with a stale one, it does not fork the chain', async () => {
    // Prepare: a current look runs and schedules the next; MNS then delivers it again together with
    // a stale look
    world = await lookWorld();
    world.clock.advance(80 * SECOND);
    await world.deliver({ until: START + 250 * SECOND, messageId: 'current' });

    // Act
    await world.deliver({ until: START + 250 * SECOND, messageId: 'current' }, { until: START + 180 * SECOND, messageId: 'stale' });

    // Assess: still the one next look
    expect(await world.runtime.pollQueue.stats()).toMatchObject({ visible: 0, delayed: 1, deadLettered: 0 });
  });

  it('are still one look: a batch of three schedules one next look, not three', async () => {
    // Prepare
    world = await lookWorld();
    world.clock.advance(80 * SECOND);

    // Act
    await world.deliverLooks(START + 250 * SECOND, START + 230 * SECOND, START + 250 * SECOND);

    // Assess
    expect(await world.runtime.pollQueue.stats()).toMatchObject({ visible: 0, delayed: 1, deadLettered: 0 });
  });
});
