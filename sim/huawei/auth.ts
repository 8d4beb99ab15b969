import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ImsSimError } from './errors';

/**
 * The gateway's side of SDK-HMAC-SHA256: the signature is recomputed from the request as it
 * arrived (raw path, raw query, received headers, body bytes), never from what the client meant
 * to send. Written apart from the product's signer on purpose: a shared bug would hide itself.
 */
export interface SimCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export interface ArrivedRequest {
  readonly method: string;
  /** The request target as received (`/cn-north-4/v2/cloudimages?limit=500`). */
  readonly rawUrl: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const authFailure = (detail: string): ImsSimError => new ImsSimError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, 'gateway');

/** The SDK's encoding: RFC 3986 unreserved characters kept, everything else %XX (upper case). */
const encode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ImsSimError(400, 'APIGW.0201', 'API request error: malformed percent-encoding.', 'gateway');
  }
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** The canonical request the gateway signs, from the arrived request. */
export const arrivedCanonicalRequest = (request: ArrivedRequest, signedHeaders: readonly string[]): string => {
  const queryAt = request.rawUrl.indexOf('?');
  const rawPath = queryAt < 0 ? request.rawUrl : request.rawUrl.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : request.rawUrl.slice(queryAt + 1);
  const path = rawPath.split('/').map((segment) => encode(decode(segment))).join('/');
  const uri = path.endsWith('/') ? path : `${path}/`;
  const pairs = rawQuery === ''
    ? []
    : rawQuery.split('&').map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
      });
  const query = pairs
    .map(([key = '', value = '']) => [encode(key), encode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${header(request.headers, name) ?? ''}\n`).join('');
  const unsigned = header(request.headers, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD';
  const payload = unsigned ? 'UNSIGNED-PAYLOAD' : sha256Hex(request.body);
  return [request.method, uri, query, headers, signedHeaders.join(';'), payload].join('\n');
};

/** Checks the signature, the credential's token and the date's freshness against `wallNow`. */
export class ImsSignatureVerifier {
  readonly #credentials: ReadonlyMap<string, SimCredential>;

  constructor(
    credentials: readonly SimCredential[],
    private readonly maxSkewMs: number,
    private readonly wallNow: () => number = Date.now,
  ) {
    this.#credentials = new Map(credentials.map((c) => [c.accessKeyId, c]));
  }

  verify(request: ArrivedRequest): SimCredential {
    const match = AUTHORIZATION.exec(header(request.headers, 'authorization') ?? '');
    if (!match) throw authFailure('the Authorization header is not SDK-HMAC-SHA256');
    const [, accessKeyId = '', signedList = '', signature = ''] = match;
    const credential = this.#credentials.get(accessKeyId);
    if (!credential) throw authFailure('Get secretKey failed, ak not exist');

    const token = header(request.headers, 'x-security-token');
    if (credential.securityToken !== undefined && (token === undefined || !sameText(token, credential.securityToken))) {
      throw authFailure('the security token is missing or does not belong to the AK');
    }
    if (credential.securityToken === undefined && token !== undefined) throw authFailure('a security token was sent with a permanent AK');

    const date = SDK_DATE.exec(header(request.headers, 'x-sdk-date') ?? '');
    if (!date) throw authFailure('x-sdk-date is missing or not YYYYMMDDTHHmmssZ');
    const [, y, mo, d, h, mi, s] = date.map(Number);
    const at = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
    if (Math.abs(this.wallNow() - at) > this.maxSkewMs) throw authFailure('x-sdk-date is too far from the server time (expired or in the future)');

    const signedHeaders = signedList.split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-sdk-date')) throw authFailure('host and x-sdk-date must be signed');
    const stringToSign = `SDK-HMAC-SHA256\n${header(request.headers, 'x-sdk-date') ?? ''}\n${sha256Hex(arrivedCanonicalRequest(request, signedHeaders))}`;
    const expected = createHmac('sha256', credential.accessKeySecret).update(stringToSign).digest('hex');
    if (!sameText(expected, signature)) throw authFailure('verify aksk signature fail');
    return credential;
  }
}
