import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultKind, type FaultController } from '../faults';
import { BodyTooLargeError, readBoundedBody, sendJson, withholdAnswer } from '../kit/http-wire';
import type { RequestLog } from '../request-log';
import type { ImsSignatureVerifier } from './auth';
import { settleJobs } from './copy-jobs';
import { ImsSimError, apiNotFound, badRequest, imsError } from './errors';
import { ROUTES, type Route } from './routes';
import { isRecord } from './routes/route';
import type { ImsSimState } from './state';

const MAX_BODY_BYTES = 1024 * 1024;
/** The real endpoint form (IMS; ECS and AS for what runs or launches an image), for clients that keep the Host header of the real service. */
const HOST_FORM = /^(?:ims|ecs|as)\.([a-z0-9-]+)\.myhuaweicloud\.(?:com|eu)$/;

export interface ImsHttpDeps {
  readonly state: ImsSimState;
  readonly faults: FaultController;
  readonly verifier: ImsSignatureVerifier;
  readonly log: RequestLog;
  /** Answers held back on purpose (noAnswer), destroyed when the simulator closes. */
  readonly held: Set<ServerResponse>;
  /** Saves the world after a request that may have changed it (a no-op without a state file). */
  readonly persist?: (() => void) | undefined;
}

/** Thrown for a 503 fault: a load balancer's HTML page, not a JSON error. */
class UnavailablePage extends Error {}

const FAULT_ERRORS = {
  [FaultKind.Throttle]: () =>
    new ImsSimError(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit', 'gateway'),
  [FaultKind.InternalError]: () => imsError(500, 'IMG.0061', 'Unknown system error.'),
  [FaultKind.ServiceUnavailable]: () => new UnavailablePage('503'),
} as const;

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const queryPairs = (rawQuery: string): Array<readonly [string, string]> =>
  rawQuery === ''
    ? []
    : rawQuery.split('&').map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? [decodeSegment(part), ''] : [decodeSegment(part.slice(0, eq)), decodeSegment(part.slice(eq + 1))];
      });

/** Which region the request is for: `/{region}/…` (the one-server form) or the Host of the real endpoint. */
const regionOf = (state: ImsSimState, pathname: string, host: string | undefined): { region: string; apiPath: string } => {
  const segments = pathname.split('/');
  const first = decodeSegment(segments[1] ?? '');
  if (state.regions.has(first)) return { region: first, apiPath: `/${segments.slice(2).join('/')}` };
  const fromHost = HOST_FORM.exec((host ?? '').replace(/:\d+$/, ''))?.[1];
  if (fromHost !== undefined && state.regions.has(fromHost)) return { region: fromHost, apiPath: pathname };
  throw apiNotFound();
};

const logParams = (
  region: string,
  project: string | undefined,
  query: ReadonlyArray<readonly [string, string]>,
  params: Readonly<Record<string, string>>,
  body: unknown,
): Record<string, string> => {
  const out: Record<string, string> = { region, ...(project === undefined ? {} : { project }) };
  for (const [key, value] of query) out[`query.${key}`] = value;
  for (const [key, value] of Object.entries(params)) out[`path.${key}`] = value;
  if (isRecord(body)) for (const [key, value] of Object.entries(body)) out[`body.${key}`] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
};

/** One request, end to end: route, authenticate, meet faults, act, answer. */
export const handleImsRequest = async (deps: ImsHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const requestId = randomBytes(16).toString('hex');
  const headers = { 'x-request-id': requestId };
  let action = 'Unknown';
  let logged: Record<string, string> = {};
  const record = (status: number, code?: string) => deps.log.record({ action, status, code, retryAttempt: 0, retryDelayMs: 0, params: logged });

  try {
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = queryPairs(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    const { region, apiPath } = regionOf(deps.state, pathname, req.headers.host);
    let params: Record<string, string> = {};
    const route: Route | undefined = ROUTES.find((candidate) => {
      if (candidate.method !== req.method) return false;
      const match = candidate.pattern.exec(apiPath);
      if (match) params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([key, value]) => [key, decodeSegment(value)]));
      return match !== null;
    });
    const projectHeader = req.headers['x-project-id'];
    const project = typeof projectHeader === 'string' ? projectHeader : undefined;
    let json: unknown;
    try {
      json = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    logged = logParams(region, project, query, params, json);
    if (route === undefined) throw apiNotFound();
    action = route.action;

    deps.verifier.verify({ method: req.method ?? 'GET', rawUrl, headers: req.headers, body });
    if (project === undefined || project !== deps.state.projectOf(region)) {
      throw new ImsSimError(401, 'APIGW.0301', `Incorrect IAM authentication information: X-Project-Id is not the project of ${region}`, 'gateway');
    }
    if (body.length > 0 && json === undefined) throw badRequest();

    const plan = deps.faults.plan(action);
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.before) throw FAULT_ERRORS[plan.before]();

    settleJobs(deps.state);
    const answer = route.handle({ state: deps.state, faults: deps.faults, region, projectId: project, params, query, body: json });
    record(answer.status);
    // Saved before answering: a lost or withheld answer still leaves the change on disk, as in the cloud.
    if (route.method !== 'GET') deps.persist?.();
    if (withholdAnswer(plan.after, req, res, deps.held)) return;
    sendJson(res, answer.status, answer.body, headers);
  } catch (error) {
    if (error instanceof UnavailablePage) {
      record(503, 'Http503');
      res.writeHead(503, { 'content-type': 'text/html', ...headers }).end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return;
    }
    const simError =
      error instanceof ImsSimError
        ? error
        : error instanceof BodyTooLargeError
          ? new ImsSimError(413, 'APIGW.0201', 'Request entity too large.', 'gateway')
          : imsError(500, 'IMG.0061', 'Unknown system error.');
    record(simError.status, simError.code);
    sendJson(res, simError.status, simError.body(requestId), headers);
  }
};
