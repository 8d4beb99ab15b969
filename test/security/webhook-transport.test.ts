import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedWebhookTransport, MAX_KEPT_ANSWER_CHARS, type Resolve } from '../../shared/platform/http/webhook-transport';

/** A resolver that answers from a table: the tests never ask real DNS. */
const resolving =
  (table: Record<string, readonly string[]>): Resolve =>
  (hostname, callback) => {
    const addresses = table[hostname];
    if (addresses === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    return callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

describe('the webhook transport checks where it connects, after DNS', () => {
  let server: Server;
  let port = 0;
  const received: string[] = [];
  let answer = 'ok';
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(status).end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (url: string, resolve: Resolve, allowLoopback = false) =>
    createGuardedWebhookTransport({ resolve }).post({ url, body: '{}', headers: { 'content-type': 'application/json' }, timeoutMs: 2_000, allowLoopback });

  it.each([
    ['the metadata service', ['100.100.100.200'], /CGNAT/],
    ['a link-local address', ['169.254.169.254'], /link-local/],
    ['a private address among public ones', ['93.184.216.34', '10.0.0.7'], /private/],
    ['an IPv4-mapped loopback address', ['::ffff:127.0.0.1'], /loopback/],
  ])('refuses a name that resolves to %s, without connecting', async (_, addresses, reason) => {
    // Prepare
    const before = received.length;
    // Act
    const response = await post(`http://hooks.example.com:${port}/hook`, resolving({ 'hooks.example.com': addresses }));
    // Assess
    expect(response).toMatchObject({ ok: false, error: expect.stringMatching(reason) });
    expect(response.ok ? '' : response.error).toMatch(/^refused: /);
    expect(received.length).toBe(before);
  });

  it('refuses a loopback address written in decimal, before any lookup', async () => {
    // Prepare
    const lookups: string[] = [];
    // Act
    const response = await post(`http://2130706433:${port}/hook`, (hostname, callback) => {
      lookups.push(hostname);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    });
    // Assess
    expect(response).toMatchObject({ ok: false, error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/) });
    expect(lookups).toEqual([]);
  });

  it('connects to a name that resolves to loopback only when the webhook opted in', async () => {
    // Prepare
    const resolve = resolving({ 'receiver.test': ['127.0.0.1'] });
    // Act
    const refused = await post(`http://receiver.test:${port}/a`, resolve, false);
    const allowed = await post(`http://receiver.test:${port}/b`, resolve, true);
    // Assess
    expect(refused.ok).toBe(false);
    expect(allowed).toMatchObject({ ok: true, status: 200 });
    expect(received).toContain('/b');
    expect(received).not.toContain('/a');
  });

  it("keeps a receiver's answer short and printable", async () => {
    // Prepare
    status = 500;
    answer = `\u001b[31mboom\u001b[0m\r\nInjected: line\n${'x'.repeat(10_000)}`;
    // Act
    const response = await post(`http://127.0.0.1:${port}/c`, resolving({}), true);
    // Assess
    expect(response.ok).toBe(false);
    const error = response.ok ? '' : response.error;
    expect(error.length).toBeLessThanOrEqual(MAX_KEPT_ANSWER_CHARS);
    expect(error).not.toMatch(/[\u0000-\u001f]/);
    expect(error.startsWith('[31mboom [0m Injected: line x')).toBe(true);
    status = 200;
    answer = 'ok';
  });
});
