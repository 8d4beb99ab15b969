import type { Clock } from '../../core/domain/clock';
import { errorMessage } from '../../core/domain/errors';
import type { Job } from '../../core/domain/job';
import { boundedLine } from '../../core/notifications/text';
import type { JobStore } from '../../core/ports/job-store';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../logging/json-logger';
import { AUTH_CHALLENGE, checkAuthorization } from './auth';
import { renderStatusPage } from './html';
import { buildStatusModel, destinationOf } from './model';
import { CONTENT_SECURITY_POLICY } from './style';
import * as z from '../../core/zod';

/**
 * The status page's HTTP surface, independent of any server: a request in, a response out.
 * The local server (server.ts) and the FC function (functions/status-page) only translate.
 *
 *   GET /               the page (HTML), ?policy= ?region= ?job= filter it; ?format=json for JSON
 *   GET /api/status     the same model as JSON
 *   GET /api/jobs/<id>  one job's status, history and record as JSON
 *   GET /healthz        "ok", without credentials: it tells nothing
 */
export interface StatusRequest {
  readonly method: string;
  /** The path alone, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface StatusResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface StatusHandlerOptions {
  /** Read only: the page never writes. */
  readonly jobs: Pick<JobStore, 'list' | 'get'>;
  readonly clock: Clock;
  /** Absent: no credentials asked (only for a server bound to loopback). */
  readonly token?: string | undefined;
  readonly maxConcurrentCopiesPerRegion?: number | undefined;
  /** Seconds between the page's reloads; 0 for none. Default 15. */
  readonly refreshSeconds?: number | undefined;
  /**
   * Where the page is mounted, when not at the root: the path of statusPage.baseUrl, which chat
   * messages link to (a custom domain routing `/replication/*` to the function passes the whole path).
   */
  readonly basePath?: string | undefined;
  readonly logger?: Logger | undefined;
}

/** '' or '/a/b': no trailing slash, only characters a status-page URL may have (StatusPageBaseUrl). */
export const BasePath = z.pipe(
  z.string().check(z.regex(/^(\/[A-Za-z0-9._-]+)*\/?$/, 'a path such as /replication')),
  z.transform((path) => path.replace(/\/$/, '')),
);

/** The base path of a configured status-page URL. */
export const basePathOf = (baseUrl: string | undefined): string => (baseUrl === undefined ? '' : z.parse(BasePath, new URL(baseUrl).pathname));

export const DEFAULT_REFRESH_SECONDS = 15;

/**
 * FC's default domain answers every response as a download (Content-Disposition: attachment),
 * so a page there is saved, not shown: on that domain the page routes answer JSON instead.
 */
export const DOWNLOAD_ONLY_HOST = /(^|\.)fcapp\.run(:\d+)?$/i;
const DOWNLOAD_ONLY_NOTE = "FC's default domain serves responses as downloads: bind a custom domain to see the HTML page; this is its JSON";

const Query = z.strictObject({
  policy: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a policy name (lower-case letters, digits and dashes)'))),
  region: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'a region id such as cn-shanghai'))),
  job: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a job id such as rj-0123abcd'))),
  format: z.optional(z.enum(['html', 'json'])),
});
type Query = z.infer<typeof Query>;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const json = (status: number, value: unknown, extra: Readonly<Record<string, string>> = {}): StatusResponse => ({
  status,
  headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra },
  body: `${JSON.stringify(value, null, 1)}\n`,
});

const problem = (status: number, message: string, extra: Readonly<Record<string, string>> = {}): StatusResponse => json(status, { error: message }, extra);

const html = (body: string): StatusResponse => ({
  status: 200,
  headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY },
  body,
});

/** A job record with every string bounded and inert: what the page and the API show of it. */
export const boundedRecord = (job: Job): unknown => JSON.parse(JSON.stringify(job, (_key, value: unknown) => (typeof value === 'string' ? boundedLine(value, 1024) : value))) as unknown;

/** The record as shown under its row, capped (tags and a history log can make it long). */
const MAX_RECORD_CHARS = 24_000;
export const recordText = (job: Job): string => {
  const text = JSON.stringify(boundedRecord(job), null, 1);
  return text.length <= MAX_RECORD_CHARS ? text : `${text.slice(0, MAX_RECORD_CHARS)}\n… (cut at ${MAX_RECORD_CHARS} characters)`;
};

const parseQuery = (params: URLSearchParams): { ok: true; query: Query } | { ok: false; message: string } => {
  const entries = [...params.entries()];
  if (entries.length > 8) return { ok: false, message: 'too many query parameters' };
  const seen = new Set<string>();
  for (const [key] of entries) {
    if (seen.has(key)) return { ok: false, message: `the query parameter ${boundedLine(key, 32)} is given twice` };
    seen.add(key);
  }
  const parsed = z.safeParse(Query, Object.fromEntries(entries));
  if (parsed.success) return { ok: true, query: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  const message = issue?.code === 'unrecognized_keys' ? `unknown query parameter; use policy, region, job or format` : `${where}: ${issue?.message ?? 'not understood'}`;
  return { ok: false, message: boundedLine(message, 200) };
};

const wantsJson = (request: StatusRequest, query: Query): boolean => {
  if (query.format !== undefined) return query.format === 'json';
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
};

export const createStatusHandler = (options: StatusHandlerOptions) => {
  const logger = options.logger ?? silentLogger;
  const refreshSeconds = options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  const basePath = z.parse(BasePath, options.basePath ?? '');
  /** The path below the mount point, or undefined when the request is not for the page at all. */
  const local = (path: string): string | undefined => {
    if (basePath === '') return path === '' ? '/' : path;
    if (path === basePath) return '/';
    return path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined;
  };

  const notFound = problem(404, `not found: the status page is at ${basePath}/, its JSON at ${basePath}/api/status`);

  const model = async (query: Query) =>
    buildStatusModel(await options.jobs.list(query.policy === undefined ? {} : { policy: query.policy }), {
      now: options.clock.now(),
      filter: { policy: query.policy, region: query.region, job: query.job },
      maxConcurrentCopiesPerRegion: options.maxConcurrentCopiesPerRegion,
    });

  const route = async (request: StatusRequest, path: string, query: Query): Promise<StatusResponse> => {
    const downloadOnly = DOWNLOAD_ONLY_HOST.test(request.headers.host ?? '');
    if (path === '/') {
      const current = await model(query);
      if (downloadOnly) return json(200, current, { 'x-image-replicator-note': DOWNLOAD_ONLY_NOTE });
      if (wantsJson(request, query)) return json(200, current);
      // The record of the job asked for is shown under its row, opened.
      const selected = query.job === undefined ? undefined : await options.jobs.get(query.job);
      if (query.job !== undefined && selected === undefined) return problem(404, 'no such job');
      return html(renderStatusPage(current, { refreshSeconds, basePath, recordOf: (id) => (selected?.id === id ? recordText(selected) : undefined) }));
    }
    if (path === '/api/status') return json(200, await model(query));
    const jobPath = /^\/api\/jobs\/([A-Za-z0-9._:-]{1,128})$/.exec(path);
    if (jobPath?.[1] !== undefined) {
      const job = await options.jobs.get(jobPath[1]);
      if (job === undefined) return problem(404, 'no such job');
      return json(200, { status: destinationOf(job, options.clock.now()), record: boundedRecord(job) });
    }
    return notFound;
  };

  return async (request: StatusRequest): Promise<StatusResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return problem(405, 'the status page is read-only: GET or HEAD', { allow: 'GET, HEAD' });
    const path = local(request.path);
    if (path === '/healthz') return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }, body: 'ok\n' };
    const auth = checkAuthorization(options.token, request.headers.authorization);
    if (!auth.ok) {
      logger.warn('status page request refused', { reason: auth.reason, path: boundedLine(request.path, 128) });
      return problem(
        401,
        auth.reason === 'missing'
          ? 'authentication required: send the status token as a bearer token (Authorization: Bearer <token>) or as the password of HTTP basic authentication'
          : 'the status token is not right',
        { 'www-authenticate': AUTH_CHALLENGE },
      );
    }
    if (path === undefined) return notFound;
    const parsed = parseQuery(request.query);
    if (!parsed.ok) return problem(400, parsed.message);
    try {
      return await route(request, path, parsed.query);
    } catch (error) {
      logger.error('status page could not read the jobs', { error: errorMessage(error) });
      return problem(503, 'the job store did not answer; try again shortly', { 'retry-after': '5' });
    }
  };
};
