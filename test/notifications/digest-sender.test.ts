import { describe, expect, it } from 'vitest';
import { resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { ImageState } from '../../shared/core/domain/image';
import { advance, newJob } from '../../shared/core/domain/job-transitions';
import { planJob } from '../../shared/core/domain/policy';
import { createDigestSender, digestSlotMs, MAX_DIGEST_ATTEMPTS } from '../../shared/core/notifications/digest-sender';
import { peekOutbox } from '../../shared/core/notifications/outbox';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { startTablestoreHarness } from '../fakes/tablestore-wire/harness';
import { chatPolicy, chatWorld, type ChatWorld, ENV } from './chat-world';

const DAILY = '      - { name: wx, kind: wecom, urlEnv: WX_URL, perJob: false, digest: daily }';
const NIGHTLY = '      - { name: wx, kind: wecom, urlEnv: WX_URL, perJob: false, digest: after-nightly-run }';

const senderFor = (world: ChatWorld, config: PolicyConfig, owner = 'digest-run') =>
  createDigestSender({
    jobs: world.jobs,
    outbox: world.outbox,
    transport: world.receiver,
    secrets: resolveWebhookSecrets(config, ENV),
    clock: world.clock,
    wallClock: world.clock,
    logger: silentLogger,
    digest: config.digest,
    owner,
  });

const contents = (world: ChatWorld): string[] => (world.receiver.bodiesTo('qyapi.weixin.qq.com') as { markdown: { content: string } }[]).map((b) => b.markdown.content);

/** A job still copying: the nightly run is not over. */
const copyingJob = async (world: ChatWorld, config: PolicyConfig) => {
  const policy = config.policies[0]!;
  const planned = planJob(policy, policy.destinations[0]!, { id: 'm-running', region: 'cn-hangzhou', name: 'golden-running', state: ImageState.Available, sizeGiB: 30, tags: {} });
  let job = newJob(planned.id, planned.spec, ImageState.Available, world.clock.now());
  job = advance(job, { type: 'dispatch.claimed' }, world.clock.now());
  job = advance(job, { type: 'copy.accepted', handle: 'm-copy-running' }, world.clock.now());
  return (await world.jobs.putIfAbsent(job)).job;
};

describe('the digest', () => {
  it('finds the slot a moment falls in, at the configured hour in UTC', () => {
    // Prepare
    const config = chatPolicy(DAILY).digest;
    // Act
    const before = digestSlotMs('daily', Date.parse('2026-03-02T00:59:59Z'), config);
    const at = digestSlotMs('daily', Date.parse('2026-03-02T01:00:00Z'), config);
    const nightly = digestSlotMs('after-nightly-run', Date.parse('2026-03-02T17:00:00Z'), config);
    // Assess
    expect(new Date(before).toISOString()).toBe('2026-03-01T01:00:00.000Z');
    expect(new Date(at).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(new Date(nightly).toISOString()).toBe('2026-03-01T18:00:00.000Z');
  });

  it('goes out once a day and counts each finished copy in exactly one digest', async () => {
    // Prepare
    const config = chatPolicy(DAILY);
    const world = chatWorld(config);
    world.clock.set('2026-03-01T02:00:00Z');
    await world.finish('golden-a');
    await world.finish('golden-b', 'failed', { error: 'InvalidSnapshot: gone' });
    world.clock.set('2026-03-01T03:00:00Z');
    const sender = senderFor(world, config);
    // Act
    const first = await sender.maybeSend(config.policies[0]!);
    world.clock.set('2026-03-01T20:00:00Z');
    await world.finish('golden-c');
    const sameDay = await sender.maybeSend(config.policies[0]!);
    world.clock.set('2026-03-02T01:10:00Z');
    const nextDay = await sender.maybeSend(config.policies[0]!);
    // Assess
    const [one, two] = contents(world);
    expect([first.sent, sameDay.sent, nextDay.sent]).toEqual([['wx'], [], ['wx']]);
    expect(one).toMatch(/Copies made:\*\* 1/);
    expect(one).toMatch(/Failed:\*\* 1/);
    expect(one).toContain('golden-b → cn-shanghai · CopyFailed');
    expect(two).toMatch(/Copies made:\*\* 1/);
    expect(two).toContain('2026-03-01 03:00 UTC → 2026-03-02 01:10 UTC');
    expect(two).toContain('cn-shanghai: 20 GiB in 1 copy');
  });

  it('after the nightly run: waits for the run to create its copies and for them to end', async () => {
    // Prepare
    const config = chatPolicy(NIGHTLY);
    const world = chatWorld(config);
    const sender = senderFor(world, config);
    const policy = config.policies[0]!;
    world.clock.set('2026-03-01T18:05:00Z');
    const early = await sender.maybeSend(policy);
    world.clock.set('2026-03-01T18:30:00Z');
    const running = await copyingJob(world, config);
    const whileRunning = await sender.maybeSend(policy);
    // Act
    await world.jobs.update(advance(running, { type: 'copy.observed', state: ImageState.Available }, world.clock.now()));
    world.clock.set('2026-03-01T19:00:00Z');
    const afterwards = await sender.maybeSend(policy);
    // Assess
    expect([early.sent, whileRunning.sent, afterwards.sent]).toEqual([[], [], ['wx']]);
    expect(contents(world)[0]).toMatch(/Copies made:\*\* 1/);
  });

  it('after the nightly run: goes out anyway when a copy is still running after the longest wait', async () => {
    // Prepare
    const config = chatPolicy(NIGHTLY);
    const world = chatWorld(config);
    const sender = senderFor(world, config);
    world.clock.set('2026-03-01T18:30:00Z');
    await copyingJob(world, config);
    // Act
    world.clock.set('2026-03-02T05:59:00Z');
    const waiting = await sender.maybeSend(config.policies[0]!);
    world.clock.set('2026-03-02T06:00:00Z');
    const late = await sender.maybeSend(config.policies[0]!);
    // Assess
    expect([waiting.sent, late.sent]).toEqual([[], ['wx']]);
  });

  it('leaves the window of a digest it could not send to the next one, so nothing is skipped', async () => {
    // Prepare
    const config = chatPolicy(DAILY);
    const world = chatWorld(config);
    const sender = senderFor(world, config);
    world.clock.set('2026-03-01T01:30:00Z');
    await sender.maybeSend(config.policies[0]!);
    world.clock.set('2026-03-01T12:00:00Z');
    await world.finish('golden-lost-day');
    world.receiver.fallback = () => ({ ok: false, status: 503, error: 'busy', body: 'busy' });
    // Act
    world.clock.set('2026-03-02T01:30:00Z');
    const asks = [];
    for (let i = 0; i < MAX_DIGEST_ATTEMPTS; i += 1) asks.push((await sender.maybeSend(config.policies[0]!)).retryInSeconds);
    world.receiver.fallback = () => ({ ok: true, status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const giveUpRepeat = await sender.maybeSend(config.policies[0]!);
    world.clock.set('2026-03-03T01:30:00Z');
    const next = await sender.maybeSend(config.policies[0]!);
    // Assess
    expect(asks.slice(0, -1).every((seconds) => seconds !== undefined && seconds > 0)).toBe(true);
    expect(asks.at(-1)).toBeUndefined();
    expect(giveUpRepeat.sent).toEqual([]);
    expect(next.sent).toEqual(['wx']);
    expect(contents(world).at(-1)).toContain('2026-03-01 01:30 UTC → 2026-03-03 01:30 UTC');
    expect(contents(world).at(-1)).toMatch(/Copies made:\*\* 1/);
  });

  it('waits for the rate budget like any message, and counts itself in it', async () => {
    // Prepare
    const config = chatPolicy('      - { name: wx, kind: wecom, urlEnv: WX_URL, digest: daily }');
    const world = chatWorld(config);
    world.clock.set('2026-03-01T01:30:00Z');
    const now = world.clock.now().getTime();
    await world.outbox.write('golden/wx', JSON.stringify({ v: 1, sentAtMs: Array.from({ length: 20 }, (_, i) => now - 30_000 + i) }), 0);
    const sender = senderFor(world, config);
    // Act
    const held = await sender.maybeSend(config.policies[0]!);
    world.clock.advance((held.retryInSeconds ?? 0) * 1000);
    const sent = await sender.maybeSend(config.policies[0]!);
    // Assess
    expect(held).toMatchObject({ sent: [], retryInSeconds: 31 });
    expect(sent.sent).toEqual(['wx']);
    expect((await peekOutbox(world.outbox, 'golden/wx')).sentAtMs).toContain(world.clock.now().getTime());
  });

  it('is sent by one of two concurrent runs only', async () => {
    // Prepare
    const config = chatPolicy(DAILY);
    const world = chatWorld(config);
    world.clock.set('2026-03-01T01:30:00Z');
    // Act
    const [a, b] = await Promise.all([senderFor(world, config, 'run-a').maybeSend(config.policies[0]!), senderFor(world, config, 'run-b').maybeSend(config.policies[0]!)]);
    // Assess
    expect([...a.sent, ...b.sent]).toEqual(['wx']);
    expect(world.receiver.requests).toHaveLength(1);
  });

  it('is sent once a slot by notify instances sharing the table’s outbox, a recycled one included', async () => {
    // Prepare: the functions' outbox store, over the Tablestore wire fake
    const harness = await startTablestoreHarness();
    const config = chatPolicy(DAILY);
    const world = chatWorld(config, { outbox: harness.store.outbox });
    world.clock.set('2026-03-01T01:30:00Z');

    // Act: the first instance sends; a fresh one (new memory) starts an hour later
    const first = await senderFor(world, config, 'instance-1').maybeSend(config.policies[0]!);
    world.clock.set('2026-03-01T02:30:00Z');
    const recycled = await senderFor(world, config, 'instance-2').maybeSend(config.policies[0]!);
    await harness.close();

    // Assess
    expect([first.sent, recycled.sent]).toEqual([['wx'], []]);
    expect(world.receiver.requests).toHaveLength(1);
  });

  it('does not obey a digest mark in the future (a document edited by hand): the slot’s digest goes out', async () => {
    // Prepare
    const config = chatPolicy(DAILY);
    const world = chatWorld(config);
    await world.outbox.write('golden/wx', JSON.stringify({ v: 1, sentAtMs: [], digest: { slotMs: Date.parse('2030-01-01T01:00:00Z'), attempts: 0 } }), 0);
    world.clock.set('2026-03-01T01:30:00Z');

    // Act
    const run = await senderFor(world, config).maybeSend(config.policies[0]!);

    // Assess
    expect(run.sent).toEqual(['wx']);
    expect((await peekOutbox(world.outbox, 'golden/wx')).digest?.slotMs).toBe(Date.parse('2026-03-01T01:00:00Z'));
  });
});
