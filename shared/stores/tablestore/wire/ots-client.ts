import { createHash, createHmac } from 'node:crypto';
import { StoreNetworkError, exchange } from '../../http/request';
import { ProtoMessage, ProtobufError } from './protobuf';

/**
 * Tablestore's transport: `POST /<Operation>` with a protobuf body, signed with the x-ots-*
 * headers (HMAC-SHA1 over path, method and the sorted x-ots-* headers), answered with a protobuf
 * body or a protobuf `Error{code,message}`. Unlike the SDK, the service's error code is read.
 */

export interface OtsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export interface OtsClientOptions {
  readonly endpoint: string;
  readonly instanceName: string;
  readonly credentials: OtsCredentials;
  readonly timeoutMs?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** The service answered with an error (or an answer we could not read). Never holds a secret. */
export class OtsError extends Error {
  override readonly name = 'OtsError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number | undefined,
    readonly requestId?: string | undefined,
  ) {
    super(message);
  }
}

/** The one call every Tablestore request goes through; tests count or script it. */
export interface OtsTransport {
  call(operation: string, body: Buffer): Promise<Buffer>;
}

const API_VERSION = '2015-12-31';
const DEFAULT_TIMEOUT_MS = 10_000;

export const otsStringToSign = (path: string, headers: Readonly<Record<string, string>>): string => {
  const canonical = Object.keys(headers)
    .filter((name) => name.startsWith('x-ots-') && name !== 'x-ots-signature')
    .sort()
    .map((name) => `${name}:${headers[name] ?? ''}\n`)
    .join('');
  return `${path}\nPOST\n\n${canonical}`;
};

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Reads the service's protobuf Error; an answer that is not one still yields a code from the status. */
const errorFrom = (status: number, body: Buffer, requestId: string | undefined): OtsError => {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const decoded = new ProtoMessage(body);
    code = decoded.string(1);
    message = decoded.string(2);
  } catch (error) {
    if (!(error instanceof ProtobufError)) throw error;
  }
  const valid = code !== undefined && /^OTS[A-Za-z]+$/.test(code);
  return new OtsError(valid ? code! : `HTTP${status}`, valid ? (message ?? code!) : `HTTP ${status}`, status, requestId);
};

export class OtsClient implements OtsTransport {
  readonly #options: OtsClientOptions;
  readonly #base: URL;

  constructor(options: OtsClientOptions) {
    this.#options = options;
    this.#base = new URL(options.endpoint);
  }

  async call(operation: string, body: Buffer): Promise<Buffer> {
    const path = `/${operation}`;
    const { credentials } = this.#options;
    const headers: Record<string, string> = {
      'x-ots-date': (this.#options.now?.() ?? new Date()).toISOString(),
      'x-ots-apiversion': API_VERSION,
      'x-ots-accesskeyid': credentials.accessKeyId,
      'x-ots-instancename': this.#options.instanceName,
      'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
    };
    if (credentials.securityToken) headers['x-ots-ststoken'] = credentials.securityToken;
    headers['x-ots-signature'] = createHmac('sha1', credentials.accessKeySecret).update(otsStringToSign(path, headers)).digest('base64');
    const answer = await exchange({
      method: 'POST',
      url: new URL(path, this.#base),
      headers,
      body,
      timeoutMs: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    const requestId = headerText(answer.headers['x-ots-requestid']);
    if (answer.status !== 200) throw errorFrom(answer.status, answer.body, requestId);
    return answer.body;
  }
}

export { StoreNetworkError };
