import { createHash, createHmac } from 'node:crypto';

/**
 * SDK-HMAC-SHA256, the AK/SK signature Huawei Cloud's API gateway checks, computed the way the
 * official SDK core computes it (so the gateway, which recomputes it from what it receives, agrees
 * byte for byte). We sign every header we send, as the SDK does.
 */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export type QueryValue = string | readonly string[];

export interface RequestToSign {
  readonly method: string;
  /** The path exactly as sent (unencoded segments; each is encoded here), without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, QueryValue>>;
  /** Every header that will be sent, Host and X-Sdk-Date included; all of them are signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body string, or undefined when there is none. */
  readonly body?: string | undefined;
}

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secret: string;
}

export interface Signature {
  readonly authorization: string;
  readonly signedHeaders: string;
  readonly signature: string;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * RFC 3986 encoding with only `A–Z a–z 0–9 - _ . ~` left as is: encodeURIComponent also keeps
 * `! ' ( ) *`, which the SDK encodes.
 */
export const sdkEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `YYYYMMDDTHHmmssZ` in UTC: the X-Sdk-Date form. */
export const sdkDate = (date: Date): string => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

/** Each segment encoded; a trailing slash is added when absent (the request itself has none). */
export const canonicalUri = (path: string): string => {
  const encoded = path.split('/').map(sdkEncode).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
};

/** Keys sorted, array values sorted and repeated, `k=v` encoded and joined by `&`. */
export const canonicalQueryString = (query: Readonly<Record<string, QueryValue>>): string =>
  Object.keys(query)
    .sort()
    .flatMap((key) => {
      const value = query[key] ?? '';
      const values = typeof value === 'string' ? [value] : [...value].sort();
      return values.map((v) => `${sdkEncode(key)}=${sdkEncode(v)}`);
    })
    .join('&');

/** The string whose hash is signed; exposed so tests can show where a mismatch starts. */
export const canonicalRequest = (request: RequestToSign): { readonly text: string; readonly signedHeaders: string } => {
  // Plain code-unit order on lower-case names; for the header names we send it equals the SDK's order.
  const names = Object.keys(request.headers)
    .map((name) => ({ lower: name.toLowerCase(), name }))
    .sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
  const canonicalHeaders = names.map(({ lower, name }) => `${lower}:${request.headers[name] ?? ''}\n`).join('');
  const signedHeaders = names.map(({ lower }) => lower).join(';');
  const payloadHash = request.body === undefined || request.body === '' ? EMPTY_PAYLOAD_SHA256 : sha256Hex(request.body);
  const text = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { text, signedHeaders };
};

/** Signs a request; the caller sends `authorization` as the Authorization header. */
export const signRequest = (request: RequestToSign, key: SigningKey): Signature => {
  const date = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-sdk-date')?.[1];
  if (date === undefined) throw new Error('an SDK-HMAC-SHA256 request needs an X-Sdk-Date header');
  const { text, signedHeaders } = canonicalRequest(request);
  const stringToSign = `${SIGNING_ALGORITHM}\n${date}\n${sha256Hex(text)}`;
  const signature = createHmac('sha256', key.secret).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization: `${SIGNING_ALGORITHM} Access=${key.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signedHeaders,
    signature,
  };
};
