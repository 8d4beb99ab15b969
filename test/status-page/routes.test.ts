import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import type { Job } from '../../shared/core/domain/job';
import { basePathOf, createStatusHandler, type StatusRequest } from '../../shared/platform/status-page/routes';
import { STATUS_PAGE_CSS } from '../../shared/platform/status-page/style';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { pageJob } from './jobs';

const TOKEN = 'a-status-token-of-enough-length-0123';
const BEARER = { authorization: `Bearer ${TOKEN}` };

const request = (path: string, headers: Record<string, string> = BEARER, method = 'GET'): StatusRequest => {
  const url = new URL(path, 'http://status.test');
  return { method, path: url.pathname, query: url.searchParams, headers };
};

const world = async (jobs: readonly Job[] = [pageJob({ id: 'rj-1', state: 'copying', progress: { percent: 40, atSeconds: 60 } }), pageJob({ id: 'rj-2', state: 'failed', destination: 'cn-beijing', error: { code: 'InvalidRegion', message: 'no such region' } })]) => {
  const store = new InMemoryJobStore();
  for (const job of jobs) await store.putIfAbsent(job);
  return createStatusHandler({ jobs: store, clock: new ManualClock('2026-11-01T00:30:00Z'), token: TOKEN, maxConcurrentCopiesPerRegion: 5 });
};

describe('the status page over HTTP', () => {
  it('asks for credentials, with a challenge a browser answers, and shows nothing of the jobs', async () => {
    // Prepare
    const handle = await world();
    // Act
    const response = await handle(request('/', {}));
    // Assess
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="image-replicator status", charset="UTF-8"');
    expect(JSON.parse(response.body)).toEqual({
      error: 'authentication required: send the status token as a bearer token (Authorization: Bearer <token>) or as the password of HTTP basic authentication',
    });
    expect(response.body).not.toContain('rj-1');
  });

  it('refuses a wrong token the same way, saying it is not right', async () => {
    // Prepare
    const handle = await world();
    // Act
    const wrong = await handle(request('/api/status', { authorization: 'Bearer not-the-token' }));
    const garbage = await handle(request('/api/status', { authorization: 'Basic %%%' }));
    // Assess
    expect([wrong.status, garbage.status]).toEqual([401, 401]);
    expect(JSON.parse(wrong.body)).toEqual({ error: 'the status token is not right' });
  });

  it('lets a browser in with the token as the basic-auth password, whatever the user name', async () => {
    // Prepare
    const handle = await world();
    const basic = `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`;
    // Act
    const response = await handle(request('/', { authorization: basic }));
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('data-job-id="rj-1"');
  });

  it('serves a page that refreshes itself, with no script and only its own stylesheet allowed', async () => {
    // Prepare
    const handle = await world();
    // Act
    const response = await handle(request('/'));
    // Assess
    const hash = createHash('sha256').update(STATUS_PAGE_CSS).digest('base64');
    expect(response.body).toContain('<meta http-equiv="refresh" content="15">');
    expect(response.body).not.toMatch(/<script|style="/);
    expect(response.headers['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
  });

  it('escapes everything taken from a job', async () => {
    // Prepare
    const handle = await world([pageJob({ id: 'rj-x', state: 'failed', imageName: '"><img src=x onerror=alert(1)>', error: { code: '<b>E</b>', message: "</td></tr><script>alert('x')</script>" } })]);
    // Act
    const { body } = await handle(request('/'));
    // Assess
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<b>E</b>');
    expect(body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });

  it('gives the same model as JSON at /api/status, and at / to a client asking for JSON', async () => {
    // Prepare
    const handle = await world();
    // Act
    const api = await handle(request('/api/status'));
    const negotiated = await handle(request('/', { ...BEARER, accept: 'application/json' }));
    const asked = await handle(request('/?format=json&policy=golden'));
    // Assess
    const model = JSON.parse(api.body) as { counts: Record<string, number>; regions: unknown[] };
    expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(model.counts).toMatchObject({ copying: 1, failed: 1 });
    expect(JSON.parse(negotiated.body)).toEqual(model);
    expect(JSON.parse(asked.body)).toMatchObject({ filter: { policy: 'golden' } });
  });

  it("answers JSON on FC's default domain, which would make a browser download the HTML", async () => {
    // Prepare
    const handle = await world();
    // Act
    const response = await handle(request('/', { ...BEARER, host: '1a2b3c.cn-hangzhou.fcapp.run' }));
    // Assess
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-image-replicator-note']).toMatch(/custom domain/);
    expect(JSON.parse(response.body)).toHaveProperty('policies');
  });

  it('opens the job asked for, with its record, and gives one job as JSON', async () => {
    // Prepare
    const handle = await world();
    // Act
    const page = await handle(request('/?job=rj-2'));
    const api = await handle(request('/api/jobs/rj-2'));
    // Assess
    expect(page.body).toMatch(/<details open><summary>History and job record · <span class="id">rj-2<\/span>/);
    expect(page.body).toContain('<pre class="record">');
    expect(JSON.parse(api.body)).toMatchObject({ status: { jobId: 'rj-2', state: 'failed', lastError: { code: 'InvalidRegion' } }, record: { id: 'rj-2' } });
  });

  it.each([
    ['an unknown job', '/api/jobs/rj-none', 'GET', 404, 'no such job'],
    ['an unknown job on the page', '/?job=rj-none', 'GET', 404, 'no such job'],
    ['an unknown path', '/admin', 'GET', 404, 'not found: the status page is at /, its JSON at /api/status'],
    ['a malformed job id', '/?job=%3Cscript%3E', 'GET', 400, 'job: a job id such as rj-0123abcd'],
    ['an unknown parameter', '/?token=abc', 'GET', 400, 'unknown query parameter; use policy, region, job or format'],
    ['a parameter given twice', '/?policy=a&policy=b', 'GET', 400, 'the query parameter policy is given twice'],
    ['a write', '/', 'POST', 405, 'the status page is read-only: GET or HEAD'],
  ])('answers %s with a clear message and the right status', async (_case, path, method, status, message) => {
    // Prepare
    const handle = await world();
    // Act
    const response = await handle(request(path, BEARER, method));
    // Assess
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: message });
    if (status === 405) expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('answers 503 when the job store does not, and health checks without credentials', async () => {
    // Prepare
    const handle = createStatusHandler({
      jobs: { list: () => Promise.reject(new Error('OTSServerBusy')), get: () => Promise.reject(new Error('OTSServerBusy')) },
      clock: new ManualClock(),
      token: TOKEN,
    });
    // Act
    const failing = await handle(request('/api/status'));
    const health = await handle(request('/healthz', {}));
    // Assess
    expect(failing.status).toBe(503);
    expect(failing.headers['retry-after']).toBe('5');
    expect(JSON.parse(failing.body)).toEqual({ error: 'the job store did not answer; try again shortly' });
    expect([health.status, health.body]).toEqual([200, 'ok\n']);
  });
});

describe('the status page under a path', () => {
  it('answers at the path of statusPage.baseUrl, where chat messages link, and links its JSON from there', async () => {
    // Prepare
    const store = new InMemoryJobStore();
    await store.putIfAbsent(pageJob({ id: 'rj-1', state: 'copying' }));
    const handle = createStatusHandler({ jobs: store, clock: new ManualClock('2026-11-01T00:30:00Z'), token: TOKEN, basePath: basePathOf('https://status.example.com/replication') });
    // Act
    const linked = await handle(request('/replication?job=rj-1'));
    const api = await handle(request('/replication/api/status'));
    const elsewhere = await handle(request('/api/status'));
    // Assess
    expect(linked.status).toBe(200);
    expect(linked.body).toContain('href="/replication/api/status"');
    expect(api.status).toBe(200);
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body)).toEqual({ error: 'not found: the status page is at /replication/, its JSON at /replication/api/status' });
  });
});
