import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../shared/core/domain/clock';
import { DEFAULT_QUEUE_ATTRIBUTES, FakeQueues, MnsFault, type QueueAttributes, type StoredMessage } from './fake-queues';
import { contentMd5, parseAuthorization, sign, signaturesMatch, stringToSign } from './signature';
import { XmlSyntaxError, childTexts, parseXml, renderXml } from './xml';

/** What the next requests suffer instead of being served. */
export type FaultKind = 'unavailable' | 'internal' | 'bare-503' | 'drop';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface MnsWireServerOptions {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, every request must carry it in `security-token`. */
  readonly securityToken?: string | undefined;
  readonly clock?: Clock | undefined;
  /** Long polls end after this many real milliseconds at most, whatever `waitseconds` says. */
  readonly maxLongPollMs?: number | undefined;
}

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const queueAttributesBody = z
  .object({
    DelaySeconds: intIn(0, 604_800),
    MaximumMessageSize: intIn(1024, 65_536),
    MessageRetentionPeriod: intIn(60, 604_800),
    VisibilityTimeout: intIn(1, 43_200),
    PollingWaitSeconds: intIn(0, 30),
    LoggingEnabled: z.enum(['true', 'false', 'True', 'False']).transform((value) => value.toLowerCase() === 'true'),
  })
  .partial()
  .strict();

const sendBody = z
  .object({
    MessageBody: z.string().min(1),
    DelaySeconds: intIn(0, 604_800).optional(),
    Priority: intIn(1, 16).optional(),
  })
  .strict();

const toAttributes = (parsed: z.infer<typeof queueAttributesBody>): Partial<QueueAttributes> => {
  const attributes: Partial<QueueAttributes> = {};
  if (parsed.DelaySeconds !== undefined) attributes.delaySeconds = parsed.DelaySeconds;
  if (parsed.MaximumMessageSize !== undefined) attributes.maximumMessageSize = parsed.MaximumMessageSize;
  if (parsed.MessageRetentionPeriod !== undefined) attributes.messageRetentionPeriod = parsed.MessageRetentionPeriod;
  if (parsed.VisibilityTimeout !== undefined) attributes.visibilityTimeout = parsed.VisibilityTimeout;
  if (parsed.PollingWaitSeconds !== undefined) attributes.pollingWaitSeconds = parsed.PollingWaitSeconds;
  if (parsed.LoggingEnabled !== undefined) attributes.loggingEnabled = parsed.LoggingEnabled;
  return attributes;
};

const invalid = (message: string): MnsFault => new MnsFault(400, 'InvalidArgument', message);

const parseWith = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(`${what}: ${result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  return result.data;
};

const readXmlBody = (body: string, root: string): Record<string, string> => {
  try {
    const element = parseXml(body);
    if (element.name !== root) throw invalid(`expected <${root}>, got <${element.name}>`);
    return childTexts(element);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new MnsFault(400, 'MalformedXML', `The XML you provided was not well-formed: ${error.message}`);
    throw error;
  }
};

const messageFields = (message: StoredMessage): Record<string, string> => ({
  MessageId: message.id,
  ReceiptHandle: message.receiptHandle ?? '',
  MessageBodyMD5: message.bodyMd5,
  MessageBody: message.body,
  EnqueueTime: String(message.enqueuedAtMs),
  NextVisibleTime: String(message.visibleAtMs),
  FirstDequeueTime: String(message.firstDequeuedAtMs ?? message.enqueuedAtMs),
  DequeueCount: String(message.dequeueCount),
  Priority: String(message.priority),
});

/**
 * MNS's REST+XML queue protocol (API version 2015-06-06) on 127.0.0.1, as far as the adapter and
 * the @alicloud/mns SDK use it. Checks the signature, Content-MD5 and STS token of every request,
 * answers every value as a string, and can be told to fail or drop the next requests.
 */
export class MnsWireServer {
  readonly queues: FakeQueues;
  readonly requests: RecordedRequest[] = [];
  readonly #options: MnsWireServerOptions;
  readonly #server: Server;
  readonly #waiters = new Set<() => void>();
  readonly #faults: { kind: FaultKind; method?: string | undefined }[] = [];

  constructor(options: MnsWireServerOptions) {
    this.#options = options;
    this.queues = new FakeQueues(options.clock ?? systemClock);
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  async start(): Promise<{ endpoint: string }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}` };
  }

  async close(): Promise<void> {
    for (const wake of [...this.#waiters]) wake();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The next `count` requests (with this HTTP method, if given) get this fault instead of an answer. */
  failNext(count: number, kind: FaultKind, only: { method?: string } = {}): void {
    for (let index = 0; index < count; index += 1) this.#faults.push({ kind, method: only.method });
  }

  #takeFault(method: string): FaultKind | undefined {
    const index = this.#faults.findIndex((fault) => fault.method === undefined || fault.method === method);
    return index < 0 ? undefined : this.#faults.splice(index, 1)[0]?.kind;
  }

  createQueue(name: string, attributes: Partial<QueueAttributes> = {}): void {
    this.queues.create(name, { ...DEFAULT_QUEUE_ATTRIBUTES, ...attributes });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    this.requests.push({ method, url, headers: request.headers, body: raw.toString('utf8') });

    const fault = this.#takeFault(method);
    if (fault === 'drop') {
      request.socket.destroy();
      return;
    }
    const requestId = randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24);
    try {
      if (fault === 'bare-503') {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      if (fault === 'unavailable') throw new MnsFault(503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
      if (fault === 'internal') throw new MnsFault(500, 'InternalError', 'Internal error, please retry.');
      this.#authenticate(method, url, request.headers, raw);
      const { status, xml, headers } = await this.#route(method, new URL(url, 'http://fake'), raw.toString('utf8'));
      response.writeHead(status, { 'x-mns-request-id': requestId, ...(xml ? { 'content-type': 'text/xml;charset=utf-8' } : {}), ...headers });
      response.end(xml);
    } catch (error) {
      const fault = error instanceof MnsFault ? error : new MnsFault(500, 'InternalError', 'unexpected fake failure');
      const xml = renderXml('Error', { Code: fault.code, Message: fault.message, RequestId: requestId, HostId: 'http://127.0.0.1' });
      response.writeHead(fault.status, { 'x-mns-request-id': requestId, 'content-type': 'text/xml;charset=utf-8' }).end(xml);
    }
  }

  #authenticate(method: string, url: string, headers: IncomingMessage['headers'], body: Buffer): void {
    const denied = (code: string, message: string): MnsFault => new MnsFault(403, code, message);
    const authorization = parseAuthorization(headers.authorization);
    if (!authorization) throw denied('AccessDenied', 'The Authorization header is missing or malformed.');
    if (authorization.accessKeyId !== this.#options.accessKeyId) throw denied('InvalidAccessKeyId', 'The access key id you provided does not exist.');
    // The date is signed but not compared with the fake's clock: tests run the fake on a manual
    // clock far from the wall clock the SDK stamps requests with.
    if (!headers.date) throw denied('AccessDenied', 'The Date header is missing.');
    const expected = sign(this.#options.accessKeySecret, stringToSign(method, headers, url));
    if (!signaturesMatch(expected, authorization.signature)) throw denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    if (this.#options.securityToken !== undefined && headers['security-token'] !== this.#options.securityToken) {
      throw denied('InvalidSecurityToken', 'The security token you provided is invalid or missing.');
    }
    const md5 = headers['content-md5'];
    if (body.length > 0 && md5 !== contentMd5(body)) throw new MnsFault(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what we received.');
  }

  async #route(method: string, url: URL, body: string): Promise<{ status: number; xml?: string; headers?: Record<string, string> }> {
    const match = /^\/queues\/([A-Za-z0-9][A-Za-z0-9-]{0,255})(\/messages)?$/.exec(url.pathname);
    if (!match?.[1]) throw new MnsFault(404, 'ResourceNotExist', `No such resource ${url.pathname}`);
    const name = match[1];
    const query = url.searchParams;

    if (!match[2]) {
      if (method === 'GET') return { status: 200, xml: this.#queueXml(name) };
      if (method === 'PUT' && query.get('metaoverride') === 'true') {
        const changes = toAttributes(parseWith(queueAttributesBody, readXmlBody(body, 'Queue'), 'queue attributes'));
        this.queues.setAttributes(name, changes);
        return { status: 204 };
      }
      if (method === 'PUT') {
        const attributes = toAttributes(parseWith(queueAttributesBody, body ? readXmlBody(body, 'Queue') : {}, 'queue attributes'));
        const outcome = this.queues.create(name, { ...DEFAULT_QUEUE_ATTRIBUTES, ...attributes });
        return outcome === 'created' ? { status: 201, headers: { location: `/queues/${name}` } } : { status: 204 };
      }
      throw new MnsFault(405, 'MethodNotAllowed', `${method} is not allowed on a queue`);
    }

    if (method === 'POST') {
      const parsed = parseWith(sendBody, readXmlBody(body, 'Message'), 'message');
      const message = this.queues.send(name, parsed.MessageBody, parsed.DelaySeconds, parsed.Priority ?? 8);
      for (const wake of [...this.#waiters]) wake();
      return { status: 201, xml: renderXml('Message', { MessageId: message.id, MessageBodyMD5: message.bodyMd5 }) };
    }
    if (method === 'GET') return this.#receive(name, query);
    if (method === 'DELETE') {
      this.queues.delete(name, query.get('ReceiptHandle') ?? '');
      return { status: 204 };
    }
    if (method === 'PUT') {
      const timeout = parseWith(intIn(1, 43_200), query.get('visibilityTimeout') ?? '', 'visibilityTimeout');
      const message = this.queues.changeVisibility(name, query.get('receiptHandle') ?? '', timeout);
      return {
        status: 200,
        xml: renderXml('ChangeVisibility', { ReceiptHandle: message.receiptHandle ?? '', NextVisibleTime: String(message.visibleAtMs) }),
      };
    }
    throw new MnsFault(405, 'MethodNotAllowed', `${method} is not allowed on messages`);
  }

  async #receive(name: string, query: URLSearchParams): Promise<{ status: number; xml: string }> {
    const batch = query.has('numOfMessages');
    const max = batch ? parseWith(intIn(1, 16), query.get('numOfMessages'), 'numOfMessages') : 1;
    const waitSeconds = query.has('waitseconds')
      ? parseWith(intIn(0, 30), query.get('waitseconds'), 'waitseconds')
      : this.queues.get(name).attributes.pollingWaitSeconds;
    let messages = this.queues.receive(name, max);
    if (messages.length === 0 && waitSeconds > 0) {
      await this.#waitForSend(Math.min(waitSeconds * 1000, this.#options.maxLongPollMs ?? 1000));
      messages = this.queues.receive(name, max);
    }
    if (messages.length === 0) throw new MnsFault(404, 'MessageNotExist', 'Message not exist.');
    if (!batch) return { status: 200, xml: renderXml('Message', messageFields(messages[0] as StoredMessage)) };
    return { status: 200, xml: renderXml('Messages', messages.map((message) => ['Message', messageFields(message)] as const)) };
  }

  #waitForSend(capMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, capMs);
      this.#waiters.add(wake);
    });
  }

  #queueXml(name: string): string {
    const queue = this.queues.get(name);
    const counts = this.queues.counts(name);
    const { attributes } = queue;
    return renderXml('Queue', {
      QueueName: queue.name,
      CreateTime: String(Math.floor(queue.createdAtMs / 1000)),
      LastModifyTime: String(Math.floor(queue.modifiedAtMs / 1000)),
      DelaySeconds: String(attributes.delaySeconds),
      MaximumMessageSize: String(attributes.maximumMessageSize),
      MessageRetentionPeriod: String(attributes.messageRetentionPeriod),
      VisibilityTimeout: String(attributes.visibilityTimeout),
      PollingWaitSeconds: String(attributes.pollingWaitSeconds),
      ActiveMessages: String(counts.active),
      InactiveMessages: String(counts.inactive),
      DelayMessages: String(counts.delayed),
      LoggingEnabled: attributes.loggingEnabled ? 'True' : 'False',
    });
  }
}
