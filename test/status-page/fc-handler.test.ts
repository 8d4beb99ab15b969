import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStatusPageEnv } from '../../functions/status-page/env';
import { makeStatusPageHandler } from '../../functions/status-page/handler';
import { fcContext } from '../helpers/context';
import { createFakeWorld } from '../fuzz/kit/handler-wiring';

const TOKEN = 'a-status-token-of-enough-length-0123';
/** FC 3.0's documented HTTP trigger event (built-in runtimes), as the function receives it. */
const DOCUMENTED = JSON.parse(readFileSync(join(__dirname, 'fixtures/fc3-http-trigger-event.alibabacloud-doc.json'), 'utf8')) as Record<string, unknown>;

const event = (changes: { rawPath?: string; method?: string; headers?: Record<string, string>; query?: Record<string, string> }): Buffer =>
  Buffer.from(
    JSON.stringify({
      ...DOCUMENTED,
      rawPath: changes.rawPath ?? '/',
      headers: changes.headers ?? {},
      queryParameters: changes.query ?? {},
      requestContext: { ...(DOCUMENTED.requestContext as object), http: { ...((DOCUMENTED.requestContext as { http: object }).http), method: changes.method ?? 'GET' } },
    }),
  );

describe('the status page function', () => {
  it('maps FC’s HTTP trigger event to the page and back, read only', async () => {
    // Prepare
    const world = await createFakeWorld();
    const handler = makeStatusPageHandler(world.wiring, { token: TOKEN, refreshSeconds: 30 });
    // Act
    const response = (await handler(event({ headers: { Authorization: `Bearer ${TOKEN}`, Host: 'status.example.com' } }), fcContext())) as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(false);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain(`data-job-id="${world.finishedJob.id}"`);
    expect(response.body).toContain('<meta http-equiv="refresh" content="30">');
  });

  it("answers the documented example (no credentials, FC's default domain) 401, and JSON there once authenticated", async () => {
    // Prepare
    const world = await createFakeWorld();
    const handler = makeStatusPageHandler(world.wiring, { token: TOKEN, refreshSeconds: 30 });
    const documented = Buffer.from(JSON.stringify(DOCUMENTED));
    // Act
    const refused = (await handler(documented, fcContext())) as { statusCode: number; headers: Record<string, string> };
    const json = (await handler(event({ headers: { authorization: `Bearer ${TOKEN}`, host: 'abc123.cn-hangzhou.fcapp.run' } }), fcContext())) as { statusCode: number; headers: Record<string, string>; body: string };
    // Assess
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic /);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(json.body)).toHaveProperty('counts');
  });

  it('answers 400 to an event that is not an HTTP request, and HEAD without a body', async () => {
    // Prepare
    const world = await createFakeWorld();
    const handler = makeStatusPageHandler(world.wiring, { token: TOKEN, refreshSeconds: 30 });
    // Act
    const garbage = (await handler(Buffer.from('not json'), fcContext())) as { statusCode: number };
    const timer = (await handler(Buffer.from('{"triggerName":"nightly-sweep","payload":"x"}'), fcContext())) as { statusCode: number };
    const head = (await handler(event({ method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } }), fcContext())) as { statusCode: number; body: string };
    // Assess
    expect([garbage.statusCode, timer.statusCode]).toEqual([400, 400]);
    expect([head.statusCode, head.body]).toEqual([200, '']);
  });

  it('fails its cold start without a token, naming the variable and never a value', () => {
    // Act
    const missing = () => loadStatusPageEnv({});
    const weak = () => loadStatusPageEnv({ IMAGE_REPLICATOR_STATUS_TOKEN: 'short-secret' });
    // Assess
    expect(missing).toThrow(/IMAGE_REPLICATOR_STATUS_TOKEN/);
    expect(weak).toThrow(/IMAGE_REPLICATOR_STATUS_TOKEN: the status token must be at least 24 characters/);
    expect(weak).not.toThrow(/short-secret/);
    expect(loadStatusPageEnv({ IMAGE_REPLICATOR_STATUS_TOKEN: TOKEN })).toEqual({ IMAGE_REPLICATOR_STATUS_TOKEN: TOKEN, IMAGE_REPLICATOR_STATUS_REFRESH_SECONDS: 15 });
  });
});
