/**
 * A webhook receiver for image-replicator notifications, with nothing but Node's standard library:
 * it checks the signature and the timestamp, answers 401 to anything unsigned, and counts each
 * event id once (the product delivers at least once; a receiver dedupes on `eventId`).
 *
 *   OPS_WEBHOOK_SECRET=... npx tsx examples/webhook-receiver.ts 8765
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const TOLERANCE_SECONDS = 300;

export interface ReceivedNotification {
  readonly eventId: string;
  readonly duplicate: boolean;
  readonly body: Record<string, unknown>;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedNotification[];
  /** Requests refused for a missing or wrong signature, or a stale timestamp. */
  readonly rejected: () => number;
  close(): Promise<void>;
}

/** The signature check a receiver must do: HMAC-SHA256 over `<timestamp>.<raw body>`, constant-time compare. */
export const verifySignature = (secret: string, timestamp: string | undefined, signature: string | undefined, rawBody: string, nowSeconds: number): boolean => {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) return false;
  if (signature === undefined || !signature.startsWith('v1=')) return false;
  const expected = createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

export const startWebhookReceiver = async (options: {
  secret: string;
  port?: number;
  onNotification?: (notification: ReceivedNotification) => void;
  /** Seconds since the epoch; receivers compare the signed timestamp with their own clock. */
  now?: () => number;
}): Promise<WebhookReceiver> => {
  const received: ReceivedNotification[] = [];
  const seen = new Set<string>();
  let rejected = 0;
  const now = options.now ?? (() => Date.now() / 1000);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      if (request.method !== 'POST' || !verifySignature(options.secret, header('x-image-replicator-timestamp'), header('x-image-replicator-signature'), raw, now())) {
        rejected += 1;
        response.writeHead(401).end('bad signature');
        return;
      }
      const body = JSON.parse(raw) as Record<string, unknown>;
      const eventId = String(body.eventId);
      const notification = { eventId, duplicate: seen.has(eventId), body };
      seen.add(eventId);
      received.push(notification);
      options.onNotification?.(notification);
      response.writeHead(204).end();
    })().catch(() => response.writeHead(400).end('bad request'));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/replication`,
    received,
    rejected: () => rejected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

if (require.main === module) {
  const secret = process.env.OPS_WEBHOOK_SECRET;
  if (secret === undefined) {
    console.error('set OPS_WEBHOOK_SECRET to the secret the policy names');
    process.exit(2);
  }
  void startWebhookReceiver({
    secret,
    port: Number(process.argv[2] ?? 8765),
    onNotification: (n) => console.log(`${n.duplicate ? 'duplicate' : 'received'} ${n.eventId}: ${String(n.body.type)}`),
  }).then((receiver) => console.log(`listening on ${receiver.url}`));
}
