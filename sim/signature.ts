import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SimCredentialSet } from './model';
import { SimApiError } from './sim-errors';

/** Requests signed further than this from the wall clock are refused, as the real gateway does. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const NONCE_MEMORY = 10_000;

/** RFC 3986 encoding as Alibaba's canonicalization wants it (also `!'()*`). */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const signatureMismatch = (): SimApiError =>
  new SimApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');

export interface SignedRequest {
  readonly method: string;
  readonly pathname: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Checks credentials, timestamps and nonces; remembers nonces so a replayed request is refused. */
export class SignatureVerifier {
  readonly #credentials: Map<string, SimCredentialSet>;
  readonly #nonces = new Set<string>();

  constructor(
    credentials: readonly SimCredentialSet[],
    private readonly wallNow: () => number = Date.now,
  ) {
    this.#credentials = new Map(credentials.map((c) => [c.accessKeyId, c]));
  }

  /** ACS3-HMAC-SHA256 in the Authorization header (the SDK's default). */
  verifyAcs3(request: SignedRequest): SimCredentialSet {
    const authorization = header(request.headers, 'authorization') ?? '';
    const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(authorization);
    if (!match) throw new SimApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    const [, accessKeyId = '', signedHeaderList = '', signature = ''] = match;
    const credential = this.#credentialFor(accessKeyId, header(request.headers, 'x-acs-security-token'));
    this.#checkFreshness(header(request.headers, 'x-acs-date'), header(request.headers, 'x-acs-signature-nonce'));

    const payloadHash = sha256Hex(request.body);
    if (header(request.headers, 'x-acs-content-sha256') !== payloadHash) throw signatureMismatch();
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-acs-date')) throw signatureMismatch();
    const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(request.headers, name) ?? '').trim()}\n`).join('');
    const canonicalQuery = Object.keys(request.query)
      .sort()
      .map((key) => `${percentEncode(key)}=${percentEncode(request.query[key] ?? '')}`)
      .join('&');
    const canonicalRequest = [request.method, request.pathname, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
    const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
    const expected = createHmac('sha256', credential.accessKeySecret).update(stringToSign).digest('hex');
    if (!sameText(expected, signature)) throw signatureMismatch();
    this.#remember(header(request.headers, 'x-acs-signature-nonce') ?? '');
    return credential;
  }

  /** The legacy RPC form: HMAC-SHA1 over the sorted query, everything in the query string. */
  verifyV2(request: SignedRequest): SimCredentialSet {
    const { Signature: signature, AccessKeyId: accessKeyId, SignatureMethod: method } = request.query;
    if (signature === undefined || accessKeyId === undefined || method !== 'HMAC-SHA1') {
      throw new SimApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    }
    const credential = this.#credentialFor(accessKeyId, request.query.SecurityToken);
    this.#checkFreshness(request.query.Timestamp, request.query.SignatureNonce);
    const canonical = Object.keys(request.query)
      .filter((key) => key !== 'Signature')
      .sort()
      .map((key) => `${percentEncode(key)}=${percentEncode(request.query[key] ?? '')}`)
      .join('&');
    const stringToSign = `${request.method}&${percentEncode('/')}&${percentEncode(canonical)}`;
    const expected = createHmac('sha1', `${credential.accessKeySecret}&`).update(stringToSign).digest('base64');
    if (!sameText(expected, signature)) throw signatureMismatch();
    this.#remember(request.query.SignatureNonce ?? '');
    return credential;
  }

  #credentialFor(accessKeyId: string, securityToken: string | undefined): SimCredentialSet {
    const credential = this.#credentials.get(accessKeyId);
    if (!credential) throw new SimApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (credential.securityToken !== undefined && securityToken === undefined) {
      throw new SimApiError(400, 'MissingSecurityToken', 'The security token is required for this access key.');
    }
    if (securityToken !== undefined && (credential.securityToken === undefined || !sameText(securityToken, credential.securityToken))) {
      throw new SimApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not match the access key.');
    }
    return credential;
  }

  #checkFreshness(timestamp: string | undefined, nonce: string | undefined): void {
    const at = timestamp === undefined ? NaN : Date.parse(timestamp);
    if (Number.isNaN(at)) throw new SimApiError(400, 'MissingTimestamp', 'The request timestamp is missing or malformed.');
    if (Math.abs(this.wallNow() - at) > MAX_CLOCK_SKEW_MS) {
      throw new SimApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    if (nonce === undefined || nonce === '') throw new SimApiError(400, 'MissingSignatureNonce', 'The signature nonce is missing.');
    if (this.#nonces.has(nonce)) throw new SimApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }

  #remember(nonce: string): void {
    this.#nonces.add(nonce);
    if (this.#nonces.size > NONCE_MEMORY) {
      const oldest = this.#nonces.values().next().value;
      if (oldest !== undefined) this.#nonces.delete(oldest);
    }
  }
}
