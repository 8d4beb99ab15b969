import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { signNotification } from '../../shared/core/domain/notification';

const SECRET = 'receiver-test-secret-0123456789';
const NOW = 1_790_000_000;
const BODY = JSON.stringify({ specVersion: 'image-replicator.notification/1', eventId: 'rj-1.r1.available', type: 'replication.succeeded' });

const post = (receiver: WebhookReceiver, body: string, headers: Record<string, string>, method = 'POST'): Promise<number> =>
  fetch(receiver.url, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': 'application/json', ...headers } }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });

const signed = (body: string, timestamp: number, secret = SECRET): Record<string, string> => ({
  'x-image-replicator-timestamp': String(timestamp),
  'x-image-replicator-signature': `v1=${signNotification(secret, timestamp, body)}`,
});

describe('examples/webhook-receiver refuses what it must', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET, now: () => NOW });
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('accepts a fresh body signed with the shared secret', async () => {
    // Prepare
    const headers = signed(BODY, NOW - 10);

    // Act
    const status = await post(receiver, BODY, headers);

    // Assess
    expect(status).toBe(204);
    expect(receiver.received.map((n) => n.eventId)).toEqual(['rj-1.r1.available']);
  });

  it.each([
    ['signed with another secret', () => signed(BODY, NOW, 'another-secret-0123456789')],
    ['with a signature of the wrong length', () => ({ ...signed(BODY, NOW), 'x-image-replicator-signature': 'v1=abcd' })],
    ['with a signature that is not hex', () => ({ ...signed(BODY, NOW), 'x-image-replicator-signature': `v1=${'zz'.repeat(32)}` })],
    ['without the v1= prefix', () => ({ ...signed(BODY, NOW), 'x-image-replicator-signature': signNotification(SECRET, NOW, BODY) })],
    ['without a signature', () => ({ 'x-image-replicator-timestamp': String(NOW) })],
    ['without a timestamp', () => ({ 'x-image-replicator-signature': signed(BODY, NOW)['x-image-replicator-signature']! })],
    ['signed for a different timestamp than it carries', () => ({ ...signed(BODY, NOW), 'x-image-replicator-timestamp': String(NOW - 1) })],
  ])('refuses a body %s', async (_name, headers) => {
    // Prepare
    const sent = headers();

    // Act
    const status = await post(receiver, BODY, sent);

    // Assess
    expect(status).toBe(401);
    expect(receiver.received).toEqual([]);
    expect(receiver.rejected()).toBe(1);
  });

  it.each([301, 3_600, -301])('refuses a validly signed body whose timestamp is %i seconds stale (or early)', async (age) => {
    // Prepare
    const headers = signed(BODY, NOW - age);

    // Act
    const status = await post(receiver, BODY, headers);

    // Assess
    expect(status).toBe(401);
    expect(receiver.received).toEqual([]);
  });

  it('refuses a replay of a valid delivery in which one byte of the body was changed', async () => {
    // Prepare
    const headers = signed(BODY, NOW);
    const accepted = await post(receiver, BODY, headers);
    const tampered = BODY.replace('succeeded', 'succeedee');

    // Act
    const status = await post(receiver, tampered, headers);

    // Assess
    expect(accepted).toBe(204);
    expect(tampered).toHaveLength(BODY.length);
    expect(status).toBe(401);
    expect(receiver.received).toHaveLength(1);
  });

  it('marks an exact replay of a valid delivery as a duplicate of the same event', async () => {
    // Prepare
    const headers = signed(BODY, NOW);
    await post(receiver, BODY, headers);

    // Act
    const status = await post(receiver, BODY, headers);

    // Assess
    expect(status).toBe(204);
    expect(receiver.received.map((n) => n.duplicate)).toEqual([false, true]);
  });

  it('refuses a GET even with valid-looking headers', async () => {
    // Prepare
    const headers = signed('', NOW);

    // Act
    const status = await post(receiver, '', headers, 'GET');

    // Assess
    expect(status).toBe(401);
  });
});
