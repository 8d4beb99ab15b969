import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../runtime/local-runtime';
import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { ManualClock } from '../../shared/core/domain/clock';
import { RetryableError } from '../../shared/core/domain/errors';
import { DEFAULT_ACCOUNT, ProviderId } from '../../shared/core/domain/provider';
import { encodeMessage, ReplicationRequestedV2 } from '../../shared/core/messages/messages';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import { DeadLetterV1 } from '../../shared/platform/fc/dead-letter';
import { MAX_MESSAGE_ATTEMPTS, unwrapRequeued } from '../../shared/platform/fc/requeue';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { FakeCopyProvider, fakeProviders } from '../fakes/fake-copy-provider';
import { testPolicyConfig } from '../helpers/policy';

const GOLDEN = ['m-golden0001', 'm-golden0002', 'm-golden0003'] as const;
/** The request for this image is the unlucky one: looking its source up is throttled. */
const UNLUCKY = 'm-golden0002';

/**
 * The real start-copy handler in the local runtime, fed by its SQLite queue as FC's MNS trigger
 * feeds it (a batch of CloudEvents; success acknowledges the batch, a failure puts all of it back),
 * over an in-memory image cloud whose source lookups can be throttled.
 */
const settlementWorld = (options: { throttledLookups: number; failFirstPutBack?: boolean }) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-batch-'));
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const images = new FakeCopyProvider();
  for (const id of GOLDEN) images.addImage({ id, region: 'cn-hangzhou', tags: { role: 'golden' } });
  let throttled = 0;
  const listImages = images.listImages.bind(images);
  images.listImages = async (region, query) => {
    if (query.imageId === UNLUCKY && throttled < options.throttledLookups) {
      throttled += 1;
      throw new RetryableError('Throttling.User', 'Request was denied due to user flow control.');
    }
    return listImages(region, query);
  };
  let putBackFailures = options.failFirstPutBack === true ? 1 : 0;
  // The start-copy queue as the handlers see it: its first put-back fails when asked to.
  const decorate = (deps: Dependencies): Dependencies => ({
    ...deps,
    queues: {
      ...deps.queues,
      startCopy: {
        send: async (body, sendOptions) => {
          if (putBackFailures > 0 && body.startsWith('{"type":"message.requeued"')) {
            putBackFailures -= 1;
            throw new RetryableError('QueueUnavailable', 'MNS did not answer');
          }
          return deps.queues.startCopy.send(body, sendOptions);
        },
      },
    },
  });
  const config = testPolicyConfig();
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: resolveWebhookSecrets(config, { OPS_WEBHOOK_SECRET: 'batch-webhook-secret-0123456789' }),
    providers: fakeProviders(images),
    transport: { post: async () => ({ ok: true, status: 204 }) },
    clock,
    wallClock: clock,
    logger: silentLogger,
    decorate,
  });
  const request = (imageId: string) =>
    runtime.startCopyQueue.send(
      encodeMessage(ReplicationRequestedV2, {
        type: 'replication.requested',
        version: 2,
        origin: 'batch-test',
        source: { provider: ProviderId.Alibaba, account: DEFAULT_ACCOUNT, region: 'cn-hangzhou', imageId },
      }),
    );
  /** Runs the loop until the queues are empty, a virtual minute a turn. */
  const runUntilQueuesEmpty = async (maxTurns = 60): Promise<number> => {
    for (let turn = 1; turn <= maxTurns; turn += 1) {
      await runtime.step();
      const stats = await runtime.startCopyQueue.stats();
      if (stats.visible + stats.inFlight + stats.delayed === 0) return turn;
      clock.advance(60_000);
    }
    throw new Error(`the start-copy queue was not empty after ${maxTurns} turns`);
  };
  /** How often the handler was handed a request for each image, copies included. */
  const deliveries = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const seen of runtime.ledger.requests) counts[seen.imageId] = (counts[seen.imageId] ?? 0) + 1;
    return counts;
  };
  const letters = async () => (await runtime.deadLetters.receive(100, 60)).map((message) => ({ messageId: message.messageId, body: message.body }));
  const close = () => {
    runtime.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { runtime, clock, request, runUntilQueuesEmpty, deliveries, letters, close };
};

describe('a start-copy batch in the local runtime, one of its requests throttled', () => {
  let world: ReturnType<typeof settlementWorld> | undefined;
  afterEach(() => {
    world?.close();
    world = undefined;
  });

  it('is acknowledged at once: the requests done are not delivered again, the throttled one comes back alone, later', async () => {
    // Prepare
    world = settlementWorld({ throttledLookups: 1 });
    const sent = [];
    for (const image of GOLDEN) sent.push(await world.request(image));

    // Act: one turn, then the copy's back-off
    await world.runtime.step();
    const afterFirstTurn = await world.runtime.startCopyQueue.stats();
    const pending = world.runtime.db.prepare("SELECT message_id AS id, body FROM mq_messages WHERE queue = 'start-copy'").all() as Array<{ id: string; body: string }>;
    world.clock.advance(10_000);
    await world.runUntilQueuesEmpty();

    // Assess
    expect(afterFirstTurn).toMatchObject({ visible: 0, inFlight: 0, delayed: 1, deadLettered: 0 });
    expect(pending.map((row) => unwrapRequeued(row.body).requeued)).toEqual([{ attempts: 1, firstMessageId: sent[1]?.messageId }]);
    expect(world.deliveries()).toEqual({ 'm-golden0001': 1, 'm-golden0002': 2, 'm-golden0003': 1 });
    const jobs = await world.runtime.jobs.list();
    expect(new Set(jobs.map((job) => job.source.imageId))).toEqual(new Set(GOLDEN));
    expect(await world.letters()).toEqual([]);
  });

  it('sets a request that keeps failing aside after its tries, with its reason, and never the requests done with it', async () => {
    // Prepare
    world = settlementWorld({ throttledLookups: Number.POSITIVE_INFINITY });
    const sent = [];
    for (const image of GOLDEN) sent.push(await world.request(image));

    // Act
    await world.runUntilQueuesEmpty();

    // Assess
    const letters = await world.letters();
    expect(letters).toHaveLength(1);
    const letter = DeadLetterV1.parse(JSON.parse(letters[0]?.body ?? ''));
    expect(letter).toMatchObject({ function: 'start-copy', code: 'Throttling.User', receives: MAX_MESSAGE_ATTEMPTS });
    expect(letter.reason).toContain(`failed ${MAX_MESSAGE_ATTEMPTS} times (first sent as message ${sent[1]?.messageId})`);
    expect(JSON.parse(letter.raw)).toMatchObject({ type: 'replication.requested', source: { imageId: UNLUCKY } });
    expect(await world.runtime.startCopyQueue.stats()).toMatchObject({ deadLettered: 0 });
    expect(world.deliveries()).toEqual({ 'm-golden0001': 1, 'm-golden0002': MAX_MESSAGE_ATTEMPTS, 'm-golden0003': 1 });
  });

  it('sets a poison message aside once, with its message id, though its batch is redelivered because a put-back failed', async () => {
    // Prepare
    world = settlementWorld({ throttledLookups: 1, failFirstPutBack: true });
    const poison = await world.runtime.startCopyQueue.send('this is not a message');
    for (const image of GOLDEN) await world.request(image);

    // Act
    await world.runUntilQueuesEmpty();

    // Assess
    const letters = (await world.letters()).map((message) => DeadLetterV1.parse(JSON.parse(message.body)));
    expect(letters.map((letter) => ({ code: letter.code, messageId: letter.messageId }))).toEqual([{ code: 'InvalidInput', messageId: poison.messageId }]);
    expect(world.runtime.ledger.lastFailure).toMatchObject({ function: 'start-copy', code: 'RequeueFailed' });
    expect(new Set((await world.runtime.jobs.list()).map((job) => job.source.imageId))).toEqual(new Set(GOLDEN));
  });
});
