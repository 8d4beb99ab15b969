import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuChannel } from '../../shared/channels/feishu';
import { slackChannel } from '../../shared/channels/slack';
import { createGuardedWebhookTransport, MAX_ANSWER_BODY_CHARS, MAX_KEPT_ANSWER_CHARS } from '../../shared/platform/http/webhook-transport';

/**
 * What the guarded transport hands a chat channel: the answer body long enough to parse, the
 * Retry-After a rate-limited platform sends, and nothing else of the receiver's headers.
 */
describe('chat answers through the guarded transport', () => {
  let server: Server;
  let url = '';
  let reply: { status: number; body: string; headers: Record<string, string> } = { status: 200, body: 'ok', headers: {} };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(reply.status, reply.headers).end(reply.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = () => createGuardedWebhookTransport().post({ url, body: '{}', headers: { 'content-type': 'application/json' }, timeoutMs: 2_000, allowLoopback: true });

  it('passes on Retry-After, so a Slack 429 holds the webhook as long as Slack asked', async () => {
    // Prepare
    reply = { status: 429, body: 'rate_limited', headers: { 'retry-after': '30', 'x-slack-secret-header': 'nope' } };
    // Act
    const response = await post();
    const verdict = slackChannel.interpret({ status: response.status ?? 0, body: response.body ?? '', headers: { ...response.headers } });
    // Assess
    expect(response.headers).toEqual({ 'retry-after': '30' });
    expect(verdict).toMatchObject({ kind: 'retry', afterSeconds: 30 });
  });

  it('keeps a Feishu error answered inside HTTP 200 whole enough to read its code', async () => {
    // Prepare
    const message = `sign match fail or timestamp is not within one hour from current time ${'x'.repeat(300)}`;
    reply = { status: 200, body: JSON.stringify({ code: 19021, data: {}, msg: message }), headers: {} };
    // Act
    const response = await post();
    const verdict = feishuChannel.interpret({ status: response.status ?? 0, body: response.body ?? '' });
    // Assess
    expect(response.ok).toBe(true);
    expect(response.body?.length).toBeGreaterThan(MAX_KEPT_ANSWER_CHARS);
    expect(verdict).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^Feishu code 19021 \(signature or timestamp refused\)/) });
  });

  it('bounds the body and drops a Retry-After that is not a number of seconds or a date', async () => {
    // Prepare
    reply = { status: 503, body: `\u001b[2J${'y'.repeat(10_000)}`, headers: { 'retry-after': '<script>alert(1)</script>' } };
    // Act
    const response = await post();
    // Assess
    expect(response.ok).toBe(false);
    expect(response.body?.length).toBeLessThanOrEqual(MAX_ANSWER_BODY_CHARS);
    expect(response.body).not.toMatch(/[\u0000-\u001f]/);
    expect(response.ok ? '' : response.error.length).toBeLessThanOrEqual(MAX_KEPT_ANSWER_CHARS);
    expect(response.headers).toBeUndefined();
  });
});
