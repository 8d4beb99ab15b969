import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/core/domain/clock';
import { ConfigError } from '../../shared/core/domain/errors';
import { startStatusServer } from '../../shared/platform/status-page/server';
import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { pageJob } from './jobs';

const TOKEN = 'a-status-token-of-enough-length-0123';

const get = (url: string, options: { method?: string; headers?: Record<string, string> } = {}) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });

describe('startStatusServer', () => {
  it('serves the page on loopback without a token, for one person on this machine', async () => {
    // Prepare
    const jobs = new InMemoryJobStore();
    await jobs.putIfAbsent(pageJob({ id: 'rj-1', state: 'copying', progress: { percent: 40, atSeconds: 60 } }));
    const server = await startStatusServer({ jobs, clock: new ManualClock('2026-11-01T00:30:00Z') });
    try {
      // Act
      const page = await get(server.url);
      const head = await get(server.url, { method: 'HEAD' });
      // Assess
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-job-id="rj-1"');
      expect([head.status, head.body]).toEqual([200, '']);
    } finally {
      await server.close();
    }
  });

  it('asks for the token when one is set', async () => {
    // Prepare
    const server = await startStatusServer({ jobs: new InMemoryJobStore(), token: TOKEN });
    try {
      // Act
      const without = await get(`${server.url}api/status`);
      const withToken = await get(`${server.url}api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
      // Assess
      expect(without.status).toBe(401);
      expect(without.headers['www-authenticate']).toMatch(/^Basic /);
      expect(withToken.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses to listen beyond loopback without a token, or with a weak one', async () => {
    // Act
    const open = startStatusServer({ jobs: new InMemoryJobStore(), host: '0.0.0.0' });
    const weak = startStatusServer({ jobs: new InMemoryJobStore(), host: '0.0.0.0', token: 'short' });
    // Assess
    await expect(open).rejects.toBeInstanceOf(ConfigError);
    await expect(open).rejects.toThrow(/needs a token/);
    await expect(weak).rejects.toThrow(/at least 24 characters/);
  });
});
