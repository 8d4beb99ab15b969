import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkAddress, checkUrlHost } from '../../core/domain/webhook-target';
import type { WebhookAnswerHeaders, WebhookRequest, WebhookResponse, WebhookTransport } from '../../core/ports/webhook-transport';

/** How much of a receiver's answer is read, and how much of it is kept (for the job record and logs). */
const MAX_READ_BYTES = 4096;
export const MAX_KEPT_ANSWER_CHARS = 200;
/**
 * The answer body handed to the caller: longer than the error text, so a chat platform's JSON
 * answer (`{"code":19021,"msg":"sign match fail or timestamp is not within one hour…"}`) still
 * parses after cleaning; still bounded, still one printable line.
 */
export const MAX_ANSWER_BODY_CHARS = 2048;

/** A receiver's answer is somebody else's text: printable, one line, short. */
export const sanitiseAnswer = (text: string, max: number = MAX_KEPT_ANSWER_CHARS): string =>
  text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);

/** Retry-After is a number of seconds or an HTTP date: anything else (or anything long) is dropped. */
const answerHeaders = (response: IncomingMessage): WebhookAnswerHeaders | undefined => {
  const raw = response.headers['retry-after'];
  const value = typeof raw === 'string' ? raw.trim() : undefined;
  return value !== undefined && /^[0-9A-Za-z ,:-]{1,40}$/.test(value) ? { 'retry-after': value } : undefined;
};

/** Errors quote the URL; a user:password in it must not travel on into logs. */
const withoutUserinfo = (text: string): string => text.replace(/\/\/[^/\s@]*@/g, '//[redacted]@');

class RefusedAddressError extends Error {
  override readonly name = 'RefusedAddressError';
}

/**
 * Resolves like Node does, then refuses the connection unless every address is allowed: the check
 * happens on the addresses actually connected to, so a name that resolves to the metadata service
 * (or is re-pointed there after validation) is stopped here.
 */
/** The resolver: Node's, or a test's. */
export type Resolve = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

const guardedLookup =
  (allowLoopback: boolean, resolve: Resolve): LookupFunction =>
  (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => checkAddress(a.address, { allowLoopback })).find((verdict) => !verdict.allowed);
      if (refused !== undefined && !refused.allowed) {
        return callback(new RefusedAddressError(`${hostname} resolves to ${refused.reason}`), '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      return first === undefined ? callback(new RefusedAddressError(`${hostname} has no address`), '', 0) : callback(null, first.address, first.family);
    });
  };

const readBounded = (response: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < MAX_READ_BYTES) chunks.push(chunk.subarray(0, MAX_READ_BYTES - size));
      size += chunk.length;
      if (size >= MAX_READ_BYTES) response.destroy();
    });
    response.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

/**
 * Posts a webhook with Node's http(s) client, whose `lookup` hook lets the address be checked
 * after DNS resolution (fetch has no such hook). Redirects are not followed: a signed body goes
 * to the URL configured, nowhere else.
 */
export const createGuardedWebhookTransport = (options: { readonly resolve?: Resolve } = {}): WebhookTransport => ({
  post(request: WebhookRequest): Promise<WebhookResponse> {
    const allowLoopback = request.allowLoopback === true;
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ ok: false, error: 'the webhook URL does not parse' });
    }
    const written = checkUrlHost(url, { allowLoopback });
    if (!written.allowed) return Promise.resolve({ ok: false, error: `refused: ${written.reason}` });
    const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
    if (send === undefined) return Promise.resolve({ ok: false, error: `refused: ${url.protocol} is not http(s)` });

    return new Promise((resolve) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          lookup: guardedLookup(allowLoopback, options.resolve ?? systemResolve),
          timeout: request.timeoutMs,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          void readBounded(response).then((text) => {
            const body = sanitiseAnswer(text, MAX_ANSWER_BODY_CHARS);
            const answer = body.slice(0, MAX_KEPT_ANSWER_CHARS) || sanitiseAnswer(response.statusMessage ?? '');
            const headers = answerHeaders(response);
            resolve(
              status >= 200 && status < 300
                ? { ok: true, status, body, headers }
                : { ok: false, status, error: answer || `HTTP ${status}`, body, headers },
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${request.timeoutMs} ms`)));
      req.on('error', (error) => {
        const refused = error instanceof RefusedAddressError || error.name === 'RefusedAddressError';
        resolve({ ok: false, error: withoutUserinfo(sanitiseAnswer(refused ? `refused: ${error.message}` : error.message)) });
      });
      req.end(request.body);
    });
  },
});

export const guardedWebhookTransport: WebhookTransport = createGuardedWebhookTransport();
