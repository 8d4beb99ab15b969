import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * One HTTP exchange for the store clients (Tablestore, MNS): node's http/https with keep-alive, a
 * deadline for the whole exchange, and network failures as `StoreNetworkError` so the callers
 * can tell "the service said no" from "we never heard back".
 */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpExchange {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  readonly timeoutMs: number;
}

/** The request never got an answer: refused, reset, timed out. Worth another try. */
export class StoreNetworkError extends Error {
  override readonly name = 'StoreNetworkError';
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

// One pool per process: functions make many small calls to the same two hosts.
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 16 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }) };

/** Answers any status; throws StoreNetworkError only when there is no answer. */
export const exchange = (request: HttpExchange): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const secure = request.url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const body = request.body ?? Buffer.alloc(0);
    const outgoing = send(
      request.url,
      {
        method: request.method,
        agent: secure ? agents.https : agents.http,
        headers: { ...request.headers, 'content-length': String(body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => fail(error));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      const code = typeof (error as { code?: unknown }).code === 'string' ? String((error as { code: string }).code) : 'NetworkError';
      // Only the method and host: the path of a signed URL is harmless, but a query may not be.
      reject(new StoreNetworkError(code, `${request.method} ${request.url.host} failed: ${code}`, { cause: error }));
    };
    const timer = setTimeout(() => {
      outgoing.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, request.timeoutMs);
    outgoing.on('error', fail);
    outgoing.end(body);
  });
