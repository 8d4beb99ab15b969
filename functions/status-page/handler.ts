import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { basePathOf, createStatusHandler, type StatusResponse } from '../../shared/platform/status-page/routes';
import * as z from '../../shared/core/zod';

/**
 * The FC entry of the status page: an HTTP trigger's event (FC 3.0 built-in runtimes: the
 * request as JSON in a Buffer) in, `{ statusCode, headers, body }` out. Read only: it lists and
 * gets jobs, nothing else.
 */
const HttpTriggerEvent = z.looseObject({
  rawPath: z._default(z.string().check(z.maxLength(4096)), '/'),
  /** Lower- or mixed-case names; several values of one header arrive comma-joined. */
  headers: z._default(z.record(z.string(), z.string()), {}),
  queryParameters: z._default(z.record(z.string(), z.string()), {}),
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string().check(z.maxLength(16)) }) }),
});

export interface HttpTriggerResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly isBase64Encoded: false;
  readonly body: string;
}

const answer = (response: StatusResponse, method: string): HttpTriggerResponse => ({
  statusCode: response.status,
  headers: response.headers,
  isBase64Encoded: false,
  body: method === 'HEAD' ? '' : response.body,
});

const badEvent: HttpTriggerResponse = {
  statusCode: 400,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  isBase64Encoded: false,
  body: '{"error":"not an HTTP trigger request"}\n',
};

export const makeStatusPageHandler =
  (wiring: Wiring, settings: { readonly token: string; readonly refreshSeconds: number }): FcHandler =>
  async (event: Buffer, context: FcContext): Promise<HttpTriggerResponse> => {
    let raw: unknown;
    try {
      raw = JSON.parse(event.toString('utf8'));
    } catch {
      return badEvent;
    }
    const parsed = z.safeParse(HttpTriggerEvent, raw);
    if (!parsed.success) return badEvent;
    const { rawPath, headers, queryParameters, requestContext } = parsed.data;
    const deps = wiring.dependencies(context.credentials);
    const handle = createStatusHandler({
      jobs: deps.jobs,
      clock: deps.clock,
      token: settings.token,
      maxConcurrentCopiesPerRegion: deps.config.maxConcurrentCopiesPerRegion,
      refreshSeconds: settings.refreshSeconds,
      // A custom domain may route a path (statusPage.baseUrl's) to the function: links follow it.
      basePath: basePathOf(deps.config.statusPage?.baseUrl),
      logger: deps.logger.child({ function: 'status-page', requestId: context.requestId }),
    });
    const method = requestContext.http.method.toUpperCase();
    const response = await handle({
      method,
      path: rawPath,
      query: new URLSearchParams(queryParameters),
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    });
    return answer(response, method);
  };
