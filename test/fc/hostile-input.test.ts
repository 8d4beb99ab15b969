import { describe, expect, it } from 'vitest';
import { makeStartCopyHandler } from '../../functions/start-copy/handler';
import { RetryableError } from '../../shared/core/domain/errors';
import type { DeadLetterV1 } from '../../shared/platform/fc/dead-letter';
import type { FcContext } from '../../shared/platform/fc/context';
import { actionTrailItem, dispatchRequested, queueItem, replicationRequested } from '../fuzz/kit/fc-inputs';
import { createFakeWorld, GOLDEN_IMAGE } from '../fuzz/kit/handler-wiring';

const ACCOUNT = '1234567890123456';
const context = (): FcContext => ({ requestId: 'req-hostile', accountId: ACCOUNT });
const fromAccount = (item: Record<string, unknown>, account: string) => ({ ...item, aliyunaccountid: account });

describe('start-copy against hostile input', () => {
  it.each([
    ['a region that would become a host name', 'x@attacker:8080/', /data\.acsRegion: "x@attacker:8080\/" is not a region id/],
    ['a region with a dot', 'cn-hangzhou.evil.example', /is not a region id/],
  ])('dead-letters an event with %s and makes no API call', async (_, region, reason) => {
    // Prepare
    const world = await createFakeWorld();
    const calls = world.images.calls.length;
    const event = fromAccount(actionTrailItem('CreateImage', region, 'm-new0001'), ACCOUNT);
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(event)), context())) as { deadLettered: number };
    // Assess
    expect(outcome.deadLettered).toBe(1);
    const letter = JSON.parse(world.deadLetters.sent[0]!.body) as DeadLetterV1;
    expect(letter).toMatchObject({ type: 'dead-letter', code: 'InvalidInput', reason: expect.stringMatching(reason) });
    expect(world.images.calls.length).toBe(calls);
  });

  it("dead-letters an event from another account and makes no API call", async () => {
    // Prepare
    const world = await createFakeWorld();
    const calls = world.images.calls.length;
    const event = fromAccount(actionTrailItem('CreateImage', 'cn-hangzhou', GOLDEN_IMAGE), '9999999999999999');
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(event)), context())) as { deadLettered: number };
    // Assess
    expect(outcome.deadLettered).toBe(1);
    expect(JSON.parse(world.deadLetters.sent[0]!.body)).toMatchObject({ reason: expect.stringMatching(/aliyunaccountid: "9999999999999999" is another account/) });
    expect(world.images.calls.length).toBe(calls);
  });

  it('makes no API call for an event in a region no policy copies from', async () => {
    // Prepare
    const world = await createFakeWorld();
    const calls = world.images.calls.length;
    const event = fromAccount(actionTrailItem('CreateImage', 'eu-west-1', 'm-elsewhere1'), ACCOUNT);
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(event)), context())) as { deadLettered: number };
    // Assess
    expect(outcome.deadLettered).toBe(0);
    expect(world.images.calls.slice(calls).filter((call) => call.region === 'eu-west-1')).toEqual([]);
  });

  it('looks up only the account\'s own images for an event', async () => {
    // Prepare
    const world = await createFakeWorld();
    const event = fromAccount(actionTrailItem('CreateImage', 'cn-hangzhou', GOLDEN_IMAGE), ACCOUNT);
    // Act
    await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(event)), context());
    // Assess
    const lookups = world.images.calls.filter((call) => call.op === 'listImages' && call.query?.imageId === GOLDEN_IMAGE);
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((call) => call.query?.ownedBySelf === true)).toBe(true);
  });

  it('processes the valid messages beside a 1 MiB poison message, and its dead letter fits a queue message', async () => {
    // Prepare
    const world = await createFakeWorld();
    const poison = queueItem('poison', { type: 'replication.requested', version: 1, origin: 'x'.repeat(1024 * 1024) }, 'plain');
    const batch = [queueItem('good-1', replicationRequested(GOLDEN_IMAGE)), poison, queueItem('good-2', dispatchRequested())];
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(batch)), context())) as { results: unknown[]; deadLettered: number };
    // Assess
    expect(outcome.results).toHaveLength(2);
    expect(outcome.deadLettered).toBe(1);
    expect(Buffer.byteLength(world.deadLetters.sent[0]!.body)).toBeLessThan(64 * 1024);
  });

  it('names the message in the dead letter of a queue message that is not even JSON', async () => {
    // Prepare
    const world = await createFakeWorld();
    const batch = [queueItem('unreadable', 'this is not a message'), queueItem('good', replicationRequested(GOLDEN_IMAGE))];
    // Act
    const outcome = (await makeStartCopyHandler(world.wiring)(Buffer.from(JSON.stringify(batch)), context())) as { deadLettered: number };
    // Assess
    expect(outcome.deadLettered).toBe(1);
    expect(JSON.parse(world.deadLetters.sent[0]!.body)).toMatchObject({ code: 'InvalidInput', messageId: 'unreadable' });
  });

  it('goes on with the batch when the dead-letter send fails, and asks for a redelivery at the end', async () => {
    // Prepare
    const world = await createFakeWorld();
    world.deadLetters.failNext(new RetryableError('QueueUnavailable', 'the dead-letter queue did not answer'));
    const batch = [queueItem('bad', { type: 'replication.requested' }), queueItem('good', replicationRequested(GOLDEN_IMAGE))];
    const handler = makeStartCopyHandler(world.wiring);
    // Act
    const run = handler(Buffer.from(JSON.stringify(batch)), context());
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'DeadLetterSendFailed', retryable: true });
    expect((await world.jobs.list()).length).toBeGreaterThan(1);
  });
});
