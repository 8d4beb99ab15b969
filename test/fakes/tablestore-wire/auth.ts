import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface FakeCredentials {
  readonly instanceName: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, every request must carry this STS token. */
  readonly securityToken?: string | undefined;
}

/** Why a request was refused, as the service says it. */
export interface AuthFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** Requests whose x-ots-date is further than this from the fake's clock are refused, as the service does. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** path, method, an empty line, then the sorted x-ots-* headers but the signature, each `name:value`. */
export const stringToSign = (path: string, method: string, headers: IncomingHttpHeaders): string => {
  const canonical = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-ots-') && name !== 'x-ots-signature')
    .sort()
    .map((name) => `${name}:${header(headers, name) ?? ''}`)
    .join('\n');
  return `${path}\n${method}\n\n${canonical}\n`;
};

export const sign = (secret: string, text: string): string => createHmac('sha1', secret).update(text).digest('base64');

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Checks a request as Tablestore does before looking at its body: MD5, instance, key, token, date, signature. */
export const verifyRequest = (
  request: { path: string; method: string; headers: IncomingHttpHeaders; body: Buffer },
  credentials: FakeCredentials,
  now: Date,
): AuthFailure | undefined => {
  const fail = (message: string, code = 'OTSAuthFailed'): AuthFailure => ({ status: 403, code, message });
  const { headers } = request;
  if (header(headers, 'x-ots-apiversion') !== '2015-12-31') return { status: 400, code: 'OTSParameterInvalid', message: 'Unsupported API version.' };
  const md5 = createHash('md5').update(request.body).digest('base64');
  if (header(headers, 'x-ots-contentmd5') !== md5) return fail('Mismatch between MD5 value of request and body.');
  if (header(headers, 'x-ots-instancename') !== credentials.instanceName) return fail('The instance is not found.');
  if (header(headers, 'x-ots-accesskeyid') !== credentials.accessKeyId) return fail('The AccessKeyID does not exist.');
  const token = header(headers, 'x-ots-ststoken');
  if (credentials.securityToken !== undefined && (token === undefined || !sameText(token, credentials.securityToken))) {
    return fail('The security token is invalid.');
  }
  const date = Date.parse(header(headers, 'x-ots-date') ?? '');
  if (Number.isNaN(date) || Math.abs(date - now.getTime()) > MAX_CLOCK_SKEW_MS) return fail('Mismatch between system time and x-ots-date.');
  const expected = sign(credentials.accessKeySecret, stringToSign(request.path, request.method, headers));
  const given = header(headers, 'x-ots-signature') ?? '';
  if (!sameText(given, expected)) return fail('Signature mismatch.');
  return undefined;
};
