import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACTIONS_BY_VERSION } from './actions';
import { FaultKind, type FaultController } from './faults';
import { settleWorld } from './lifecycle';
import type { RequestLog } from './request-log';
import type { SignatureVerifier } from './signature';
import { SimApiError } from './sim-errors';
import type { SimState } from './state';

const HOST_ID = 'ecs.aliyuncs.com';

/** Parameters of the legacy v2 form that are protocol, not business. */
const V2_COMMON = new Set([
  'Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion',
  'SignatureNonce', 'SignatureType', 'Timestamp', 'SecurityToken',
]);

const FAULT_ERRORS = {
  [FaultKind.Throttle]: () => new SimApiError(400, 'Throttling.User', 'Request was denied due to user flow control.'),
  [FaultKind.InternalError]: () => new SimApiError(500, 'InternalError', 'The request processing has failed due to some unknown error.'),
  [FaultKind.ServiceUnavailable]: () => new SimApiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
} as const;

export interface HttpDeps {
  readonly state: SimState;
  readonly faults: FaultController;
  readonly verifier: SignatureVerifier;
  readonly log: RequestLog;
  /** Answers held back on purpose (noAnswer), destroyed when the simulator closes. */
  readonly held: Set<ServerResponse>;
  /** Saves the world after an action that changed it (a no-op without a state file). */
  readonly persist?: (() => void) | undefined;
}

/** Actions that only read; everything else may change the world and is followed by a save. */
const READS_ONLY = /^(Describe|List)/;

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const send = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const errorBody = (requestId: string, error: SimApiError): Record<string, unknown> => ({
  RequestId: requestId,
  HostId: HOST_ID,
  Code: error.code,
  Message: error.message,
  Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Ecs`,
});

/** One request, end to end: parse, authenticate, meet faults, act, answer. */
export const handleRequest = async (deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const requestId = randomUUID().toUpperCase();
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://simulator');
  const query = Object.fromEntries(url.searchParams);
  // The legacy v2 form signs in the query (the SDK still adds the x-acs-* headers, unsigned).
  const legacy = req.headers.authorization === undefined && query.Signature !== undefined;
  const headerAction = req.headers['x-acs-action'];
  const action = (legacy ? query.Action : undefined) ?? (typeof headerAction === 'string' ? headerAction : '');
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(body.toString('utf8')))
    : {};
  const params = Object.fromEntries(
    Object.entries({ ...form, ...query }).filter(([key]) => !legacy || !V2_COMMON.has(key)),
  );
  const retryAttempt = Number(req.headers['x-acs-retry-attempts'] ?? 0) || 0;
  const retryDelayMs = Number(req.headers['x-acs-retry-delay'] ?? 0) || 0;
  const record = (status: number, code?: string) => deps.log.record({ action, status, code, retryAttempt, retryDelayMs, params });

  try {
    if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) {
      throw new SimApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
    if (action === '') throw new SimApiError(400, 'MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.');
    const signed = { method: req.method, pathname: url.pathname, query, headers: req.headers, body };
    if (legacy) deps.verifier.verifyV2(signed);
    else deps.verifier.verifyAcs3(signed);
    const version = legacy ? query.Version : req.headers['x-acs-version'];
    const actions = typeof version === 'string' ? ACTIONS_BY_VERSION[version] : undefined;
    if (actions === undefined) throw new SimApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!handler) throw new SimApiError(404, 'InvalidAction.NotFound', `Specified api "${action}" is not found, please check your url and method.`);

    const plan = deps.faults.plan(action);
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.before) throw FAULT_ERRORS[plan.before]();

    settleWorld(deps.state);
    const result = handler({ state: deps.state, params, faults: deps.faults });
    record(200);
    if (!READS_ONLY.test(action)) deps.persist?.();
    if (plan.after === FaultKind.LostAnswer) {
      req.socket.destroy();
      return;
    }
    if (plan.after === FaultKind.NoAnswer) {
      deps.held.add(res);
      res.on('close', () => deps.held.delete(res));
      return;
    }
    send(res, 200, { RequestId: requestId, ...result }, { 'x-acs-request-id': requestId });
  } catch (error) {
    const apiError =
      error instanceof SimApiError
        ? error
        : new SimApiError(500, 'InternalError', 'The request processing has failed due to some unknown error.');
    record(apiError.status, apiError.code);
    const retryAfter = deps.faults.settings.throttleRetryAfterMs;
    const headers: Record<string, string> = { 'x-acs-request-id': requestId };
    if (apiError.code.startsWith('Throttling') && retryAfter !== undefined) headers['x-acs-retry-after'] = String(retryAfter);
    send(res, apiError.status, errorBody(requestId, apiError), headers);
  }
};
