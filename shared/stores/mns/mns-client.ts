import { createHash, createHmac } from 'node:crypto';
import { StoreNetworkError, exchange } from '../http/request';
import { XmlError, childTexts, parseXml, renderXml } from './xml';

/**
 * MNS's queue API (REST + XML, version 2015-06-06) for the calls the queue adapter makes. Each
 * request is signed: `Authorization: MNS <AccessKeyId>:base64(HMAC-SHA1(secret, VERB\nContent-MD5\n
 * Content-Type\nDate\n<sorted x-mns-* headers>\n<resource>))`, Content-MD5 being base64 of the
 * hex MD5; an STS token travels unsigned in `security-token`. Unlike @alicloud/mns it escapes
 * what it puts into XML, URL-encodes receipt handles, and reports the service's error code.
 */

export interface MnsClientCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export interface MnsClientOptions {
  readonly endpoint: string;
  readonly credentials: MnsClientCredentials;
  readonly timeoutMs: number;
  readonly now?: (() => Date) | undefined;
}

/** The service refused (an XML `<Error>`, or a bare status from a gateway). Never holds a secret. */
export class MnsServiceError extends Error {
  override readonly name = 'MnsServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string | undefined,
  ) {
    super(message);
  }
}

/** An answer: its status, and the flat records of its XML (one for most, several for a batch). */
export interface MnsAnswer {
  readonly status: number;
  readonly records: ReadonlyArray<Record<string, string>>;
}

const API_VERSION = '2015-06-06';
const CONTENT_TYPE = 'text/xml;charset=utf-8';

export const mnsStringToSign = (method: string, headers: Readonly<Record<string, string>>, resource: string): string => {
  const mnsHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-mns-'))
    .sort()
    .map((name) => `${name}:${headers[name] ?? ''}\n`)
    .join('');
  return `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers.date ?? ''}\n${mnsHeaders}${resource}`;
};

const contentMd5 = (body: Buffer): string => Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Records of an answer: `<Messages><Message>…</Message>…</Messages>` or one flat element. */
const recordsOf = (xml: string): Array<Record<string, string>> => {
  const root = parseXml(xml);
  const nested = root.children.length > 0 && root.children.every((child) => child.children.length > 0);
  return nested ? root.children.map(childTexts) : [childTexts(root)];
};

export class MnsClient {
  readonly #options: MnsClientOptions;
  readonly #base: URL;

  constructor(options: MnsClientOptions) {
    this.#options = options;
    this.#base = new URL(options.endpoint);
  }

  sendMessage(queue: string, body: string, delaySeconds: number | undefined): Promise<MnsAnswer> {
    return this.#request('POST', `/queues/${queue}/messages`, renderXml('Message', { MessageBody: body, DelaySeconds: delaySeconds }));
  }

  batchReceiveMessage(queue: string, count: number, waitSeconds: number | undefined, timeoutMs?: number): Promise<MnsAnswer> {
    const wait = waitSeconds === undefined ? '' : `&waitseconds=${waitSeconds}`;
    return this.#request('GET', `/queues/${queue}/messages?numOfMessages=${count}${wait}`, undefined, timeoutMs);
  }

  deleteMessage(queue: string, receiptHandle: string): Promise<MnsAnswer> {
    return this.#request('DELETE', `/queues/${queue}/messages?ReceiptHandle=${encodeURIComponent(receiptHandle)}`);
  }

  changeMessageVisibility(queue: string, receiptHandle: string, seconds: number): Promise<MnsAnswer> {
    return this.#request('PUT', `/queues/${queue}/messages?receiptHandle=${encodeURIComponent(receiptHandle)}&visibilityTimeout=${seconds}`);
  }

  getQueueAttributes(queue: string): Promise<MnsAnswer> {
    return this.#request('GET', `/queues/${queue}`);
  }

  createQueue(queue: string, attributes: Readonly<Record<string, number>>): Promise<MnsAnswer> {
    return this.#request('PUT', `/queues/${queue}`, renderXml('Queue', attributes));
  }

  setQueueAttributes(queue: string, attributes: Readonly<Record<string, number>>): Promise<MnsAnswer> {
    return this.#request('PUT', `/queues/${queue}?metaoverride=true`, renderXml('Queue', attributes));
  }

  async #request(method: string, resource: string, xml?: string, timeoutMs?: number): Promise<MnsAnswer> {
    const body = xml === undefined ? undefined : Buffer.from(xml, 'utf8');
    const { credentials } = this.#options;
    const headers: Record<string, string> = {
      date: (this.#options.now?.() ?? new Date()).toUTCString(),
      'x-mns-version': API_VERSION,
    };
    if (body) {
      headers['content-type'] = CONTENT_TYPE;
      headers['content-md5'] = contentMd5(body);
    }
    const signature = createHmac('sha1', credentials.accessKeySecret).update(mnsStringToSign(method, headers, resource), 'utf8').digest('base64');
    headers.authorization = `MNS ${credentials.accessKeyId}:${signature}`;
    if (credentials.securityToken) headers['security-token'] = credentials.securityToken;
    const answer = await exchange({ method, url: new URL(resource, this.#base), headers, body, timeoutMs: timeoutMs ?? this.#options.timeoutMs });
    const text = answer.body.toString('utf8');
    const requestId = headerText(answer.headers['x-mns-request-id']);
    if (answer.status >= 300) {
      let error: Record<string, string> = {};
      try {
        error = text.trim().startsWith('<') ? (recordsOf(text)[0] ?? {}) : {};
      } catch (parseError) {
        if (!(parseError instanceof XmlError)) throw parseError;
      }
      const code = error.Code && /^\w+$/.test(error.Code) ? error.Code : `HttpStatus${answer.status}`;
      throw new MnsServiceError(code, error.Message ?? `HTTP ${answer.status}`, answer.status, error.RequestId ?? requestId);
    }
    if (text.trim() === '') return { status: answer.status, records: [] };
    try {
      return { status: answer.status, records: recordsOf(text) };
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      throw new MnsServiceError('MalformedResponse', `an answer that is not XML: ${error.message}`, answer.status, requestId);
    }
  }
}

export { StoreNetworkError };
