import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeliveryStatus, NotificationStatus } from '../../shared/core/domain/job';
import { WECOM_MAX_MARKDOWN_BYTES } from '../../shared/channels/wecom';
import { MINUTE_WINDOW_MS } from '../../shared/core/notifications/rate-budget';
import { peekOutbox } from '../../shared/core/notifications/outbox';
import { chatPolicy, chatWorld, DINGTALK_SECRET, FEISHU_SECRET } from './chat-world';

const DING = `      - { name: ding, kind: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123", secretEnv: DING_SECRET }`;
const LARK = `      - { name: lark, kind: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789", secretEnv: LARK_SECRET }`;
const WECOM = '      - { name: wx, kind: wecom, urlEnv: WX_URL }';
const SLACK = '      - { name: team, kind: slack, urlEnv: TEAM_SLACK_URL }';
const STATUS = 'statusPage: { baseUrl: https://status.example.com/replication }\n';

/** The platforms' documented algorithms, written out here rather than taken from the product. */
const dingtalkSign = (secret: string, ms: number) => encodeURIComponent(createHmac('sha256', secret).update(`${ms}\n${secret}`).digest('base64'));
const feishuSign = (secret: string, s: number) => createHmac('sha256', `${s}\n${secret}`).update('').digest('base64');

describe('notify tells chat webhooks', () => {
  it('posts DingTalk a markdown message signed with the millisecond timestamp and HMAC in the URL, readable on a phone', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(DING, STATUS));
    const job = await world.finish('golden-web', 'available', { seconds: 754 });
    // Act
    const outcome = await world.notify(job);
    // Assess
    const [request] = world.receiver.requests;
    const url = new URL(request?.url ?? '');
    const ms = world.clock.now().getTime();
    const text = String((JSON.parse(request?.body ?? '{}') as { markdown: { text: string } }).markdown.text);
    expect(outcome.delivered).toEqual(['ding']);
    expect(url.searchParams.get('timestamp')).toBe(String(ms));
    expect(request?.url).toContain(`&sign=${dingtalkSign(DINGTALK_SECRET, ms)}`);
    expect(dingtalkSign('SECexample0123456789', 1700000000000)).toBe('figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D');
    for (const fact of ['golden-web', 'cn-hangzhou', 'cn-shanghai', 'Available', 'm-copy-golden-web', '12 min 34 s']) expect(text).toContain(fact);
    expect(text).toContain(`(https://status.example.com/replication?job=${job.id})`);
    expect((await world.jobs.get(job.id))?.notification.status).toBe(NotificationStatus.Delivered);
  });

  it('posts Feishu a card signed with the second timestamp and HMAC in the body', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(LARK));
    const job = await world.finish('golden-web');
    // Act
    await world.notify(job);
    // Assess
    const [body] = world.receiver.bodiesTo('open.feishu.cn');
    const seconds = Math.floor(world.clock.now().getTime() / 1000);
    expect(body).toMatchObject({ timestamp: String(seconds), sign: feishuSign(FEISHU_SECRET, seconds), msg_type: 'interactive' });
    expect(feishuSign('exampleFeishuSecret', 1700000000)).toBe('KAVz6mt2yjyYGOsZirwjG/gjbx7Rak7PYaGaF9vzk8g=');
    expect(JSON.stringify(body)).not.toContain(FEISHU_SECRET);
  });

  it('gives up on a Feishu refusal answered inside HTTP 200, recording why, and never posts it again', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(LARK));
    const job = await world.finish('golden-web');
    world.receiver.script.push({ ok: true, status: 200, body: '{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}' });
    // Act
    const first = await world.notify(job);
    const again = await world.notify(job);
    // Assess
    const delivery = (await world.jobs.get(job.id))?.notification.webhooks.lark;
    expect(first.gaveUp).toEqual(['lark']);
    expect(delivery).toMatchObject({ status: DeliveryStatus.GaveUp, attempts: 1, lastError: expect.stringMatching(/^Feishu code 19021 \(signature or timestamp refused\): sign match fail/) });
    expect(again.skipped).toBe('already gave_up');
    expect(world.receiver.requests).toHaveLength(1);
  });

  it('holds messages for DingTalk’s ten minutes when it says "too fast" inside HTTP 200, counts no attempt, then tells the copy once', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(DING));
    const job = await world.finish('golden-web');
    world.receiver.script.push({ ok: true, status: 200, body: '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}' });
    // Act
    const throttled = await world.notify(job);
    const tooSoon = await world.notify(job);
    world.clock.advance(600_000);
    const later = await world.notify(job);
    // Assess
    expect(throttled.retryInSeconds).toBe(600);
    expect(world.queues.notify.sent[0]?.delaySeconds).toBe(600);
    expect(tooSoon.delivered).toEqual([]);
    expect(later.delivered).toEqual(['ding']);
    expect(world.receiver.requests).toHaveLength(2);
    expect((await world.jobs.get(job.id))?.notification.webhooks.ding).toMatchObject({ status: DeliveryStatus.Delivered, attempts: 1 });
  });

  it('tells a burst of forty finished copies to DingTalk as one batched message, each copy once', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(DING));
    const finished = [];
    for (let i = 0; i < 40; i += 1) finished.push(await world.finish(`golden-${String(i).padStart(2, '0')}`, i === 7 ? 'failed' : 'available'));
    // Act
    const outcomes = [];
    for (const job of finished) outcomes.push(await world.notify(job));
    // Assess
    const bodies = world.receiver.bodiesTo('oapi.dingtalk.com');
    const text = String((bodies[0] as { markdown: { text: string } } | undefined)?.markdown.text);
    expect(bodies).toHaveLength(1);
    expect(text).toContain('40 copies finished, 1 failed');
    expect(text).toContain('golden-07');
    expect(outcomes.slice(1).every((outcome) => outcome.skipped === 'already delivered')).toBe(true);
    expect((await world.jobs.list()).every((job) => job.notification.webhooks.ding?.status === DeliveryStatus.Delivered)).toBe(true);
  });

  it('never posts DingTalk more than twenty messages a minute, across runs, and tells the rest once the minute allows', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(DING));
    const finished = [];
    // Act: copies finish two seconds apart, each told by its own run.
    for (let i = 0; i < 25; i += 1) {
      const job = await world.finish(`golden-${i}`);
      finished.push(job);
      await world.notify(job);
      world.clock.advance(2_000);
    }
    const waiting = (await world.jobs.list()).filter((job) => job.notification.status === NotificationStatus.Pending);
    world.clock.advance(MINUTE_WINDOW_MS);
    for (const job of waiting) await world.notify(job);
    // Assess
    const times = world.receiver.requests.map((r) => r.at);
    const busiestMinute = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + MINUTE_WINDOW_MS).length));
    const told = world.receiver.bodiesTo('oapi.dingtalk.com').map((b) => String((b as { markdown: { text: string } }).markdown.text));
    expect(busiestMinute).toBe(20);
    expect(waiting.length).toBeGreaterThan(0);
    expect((await world.jobs.list()).every((job) => job.notification.status === NotificationStatus.Delivered)).toBe(true);
    for (const job of finished) expect(told.filter((text) => text.includes(`${job.source.imageName} `) || text.includes(`${job.source.imageName} →`)).length).toBe(1);
    expect((await peekOutbox(world.outbox, 'golden/ding')).blockedUntilMs).toBeUndefined();
  });

  it('spaces Slack messages more than a second apart, waiting the gap within the run', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(SLACK));
    const first = await world.finish('golden-a');
    await world.finish('golden-b');
    await world.finish('golden-c');
    // Act
    const outcome = await world.notify(first);
    // Assess
    const times = world.receiver.requests.map((r) => r.at);
    expect(outcome.delivered).toEqual(['team']);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_100);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1_100);
    expect(world.pauses.every((ms) => ms <= 3_000)).toBe(true);
  });

  it("holds a Slack webhook for the Retry-After of its 429, counting no attempt", async () => {
    // Prepare
    const world = chatWorld(chatPolicy(SLACK));
    const job = await world.finish('golden-a');
    world.receiver.script.push({ ok: false, status: 429, error: 'rate_limited', body: 'rate_limited', headers: { 'retry-after': '30' } });
    // Act
    const outcome = await world.notify(job);
    // Assess
    expect(outcome.retryInSeconds).toBe(30);
    expect((await world.jobs.get(job.id))?.notification.webhooks.team).toMatchObject({ status: DeliveryStatus.Pending, attempts: 0 });
    expect((await peekOutbox(world.outbox, 'golden/team')).blockedUntilMs).toBe(world.clock.now().getTime() + 30_000);
  });

  it('keeps a WeCom message within 4,096 bytes however long the error it tells', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(WECOM));
    const job = await world.finish('golden-a', 'failed', { error: `永久失败 ${'错误'.repeat(5_000)}` });
    // Act
    const outcome = await world.notify(job);
    // Assess
    const [body] = world.receiver.bodiesTo('qyapi.weixin.qq.com') as { markdown: { content: string } }[];
    expect(outcome.delivered).toEqual(['wx']);
    expect(Buffer.byteLength(body?.markdown.content ?? '')).toBeLessThanOrEqual(WECOM_MAX_MARKDOWN_BYTES);
    expect(body?.markdown.content).toContain('Copy failed');
    expect(body?.markdown.content).toContain('…');
  });

  it('lets one of two concurrent runs post; the other comes back and finds its copy told', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(DING));
    const a = await world.finish('golden-a');
    const b = await world.finish('golden-b');
    let open = () => undefined as void;
    world.receiver.gate = new Promise<void>((resolve) => (open = resolve));
    // Act
    const runA = world.notify(a);
    while (world.receiver.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const runB = await world.notify(b);
    open();
    const resultA = await runA;
    world.clock.advance((runB.retryInSeconds ?? 0) * 1000);
    const backB = await world.notify(b);
    // Assess
    expect(runB.retryInSeconds).toBeGreaterThan(0);
    expect(runB.delivered).toEqual([]);
    expect(resultA.delivered).toEqual(['ding']);
    expect(backB.skipped).toBe('already delivered');
    expect(world.receiver.requests).toHaveLength(2);
  });

  it('settles a digest-only webhook at once: the only message is the digest', async () => {
    // Prepare
    const world = chatWorld(chatPolicy('      - { name: wx, kind: wecom, urlEnv: WX_URL, perJob: false, digest: daily }'));
    const job = await world.finish('golden-a');
    // Act
    const outcome = await world.notify(job);
    // Assess
    const bodies = world.receiver.bodiesTo('qyapi.weixin.qq.com') as { markdown: { content: string } }[];
    expect(outcome).toMatchObject({ delivered: ['wx'], digests: ['wx'] });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.markdown.content).toContain('Replication digest: golden');
    expect((await world.jobs.get(job.id))?.notification.status).toBe(NotificationStatus.Delivered);
  });

  it('gives up at once, naming the variable and never the value, when a Slack URL is not a Slack URL', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(SLACK), { env: { TEAM_SLACK_URL: 'https://evil.example.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnop12345678' } });
    const job = await world.finish('golden-a');
    // Act
    const outcome = await world.notify(job);
    // Assess
    const delivery = (await world.jobs.get(job.id))?.notification.webhooks.team;
    expect(outcome.gaveUp).toEqual(['team']);
    expect(delivery?.lastError).toMatch(/^TEAM_SLACK_URL: a slack webhook URL must look like https:\/\/hooks\.slack\.com/);
    expect(delivery?.lastError).not.toContain('evil');
    expect(world.receiver.requests).toHaveLength(0);
  });

  it('retries a chat platform that fails, and gives up after as many attempts as a generic webhook', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(WECOM));
    const job = await world.finish('golden-a');
    world.receiver.fallback = () => ({ ok: false, status: 502, error: 'bad gateway', body: 'bad gateway' });
    // Act
    const outcomes = [];
    for (let i = 0; i < 9; i += 1) {
      const outcome = await world.notify(job);
      outcomes.push(outcome);
      world.clock.advance((outcome.retryInSeconds ?? 0) * 1000);
    }
    // Assess
    expect(outcomes[0]?.retryInSeconds).toBe(30);
    expect(outcomes.at(-1)?.gaveUp).toEqual(['wx']);
    expect((await world.jobs.get(job.id))?.notification.webhooks.wx).toMatchObject({ status: DeliveryStatus.GaveUp, attempts: 9, lastError: expect.stringContaining('WeCom answered HTTP 502') });
    expect(world.receiver.requests).toHaveLength(9);
  });

  it('asks again as soon as a chat webhook needs, while a failing generic webhook beside it waits out its own back-off', async () => {
    // Prepare
    const world = chatWorld(chatPolicy(`      - { name: ops, url: https://hooks.example.com/replication, secretEnv: OPS_SECRET }\n${SLACK}`));
    const job = await world.finish('golden-a');
    world.receiver.fallback = (request) =>
      new URL(request.url).hostname === 'hooks.example.com'
        ? { ok: false, status: 503, error: 'busy', body: 'busy' }
        : { ok: false, status: 429, error: 'rate_limited', body: 'rate_limited', headers: { 'retry-after': '5' } };
    // Act
    const first = await world.notify(job);
    world.clock.advance(5_000);
    world.receiver.fallback = (request) => (new URL(request.url).hostname === 'hooks.example.com' ? { ok: false, status: 503, error: 'busy', body: 'busy' } : { ok: true, status: 200, body: 'ok' });
    const second = await world.notify(job);
    const genericPosts = () => world.receiver.requests.filter((r) => new URL(r.url).hostname === 'hooks.example.com').length;
    const genericAfterSecond = genericPosts();
    world.clock.advance((second.retryInSeconds ?? 0) * 1000);
    await world.notify(job);
    // Assess
    expect(first.retryInSeconds).toBe(5);
    expect(second.delivered).toEqual(['team']);
    expect(second.retryInSeconds).toBe(25);
    expect(genericAfterSecond).toBe(3);
    expect(genericPosts()).toBe(6);
    expect((await world.jobs.get(job.id))?.notification.webhooks.ops).toMatchObject({ status: DeliveryStatus.Pending, attempts: 2 });
  });
});
