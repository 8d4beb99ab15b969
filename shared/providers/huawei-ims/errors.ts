import { type ReplicationError, RetryableError, TerminalError, isReplicationError } from '../../core/domain/errors';
import * as z from '../../core/zod';

/** The IMS operations the client calls, named as the SDK names them (also the simulator's action names). */
export const ImsOperation = {
  ListImages: 'ListImages',
  CopyImageCrossRegion: 'CopyImageCrossRegion',
  ShowJob: 'ShowJob',
  DeleteImage: 'GlanceDeleteImage',
  BatchAddOrDeleteTags: 'BatchAddOrDeleteTags',
  BatchAddMembers: 'BatchAddMembers',
  BatchDeleteMembers: 'BatchDeleteMembers',
  /** Glance-side: the projects an image is shared with. */
  ListImageMembers: 'GlanceListImageMembers',
  /** ECS (Nova): the servers started from an image. */
  ListServersByImage: 'NovaListServers',
  /** Auto Scaling: the tenant's AS configurations (which image each launches). */
  ListScalingConfigs: 'ListScalingConfigs',
} as const;

/** The service answering an operation, for messages: IMS but for ECS's and AS's one each. */
const serviceOf = (operation: ImsOperation): string =>
  operation === ImsOperation.ListServersByImage ? 'ECS' : operation === ImsOperation.ListScalingConfigs ? 'Auto Scaling' : 'IMS';
export type ImsOperation = (typeof ImsOperation)[keyof typeof ImsOperation];

/** Our own codes, for failures that carry no API code. */
export const ImsErrorCode = {
  Network: 'NetworkError',
  Timeout: 'Timeout',
  UnexpectedResponse: 'ImsUnexpectedResponse',
  TooManyPages: 'ImsTooManyPages',
} as const;

/**
 * API codes worth another try (IMS error-code table): concurrency and flow control clear with
 * time, the internal ones are transient, and an image being created becomes deletable.
 */
const RETRYABLE_API_CODES: ReadonlySet<string> = new Set([
  'IMG.0149', // cross-region copies over the per-tenant concurrency limit
  'IMG.0060', // tasks over the flow-control limit
  'IMG.0018', // error submitting the job
  'IMG.0023', // error querying the task
  'IMG.0061', // unknown system error
  'IMG.0014', // IaaS error
  'IMG.0046', // image not available (yet)
  'IMG.0090', // image being created cannot be deleted
  'IMG.0187', // KMS traffic limit
  'APIGW.0308', // gateway throttling
]);

/** Flow control: IMS or its gateway turned the request away before acting on it. */
export const THROTTLE_CODES: ReadonlySet<string> = new Set(['IMG.0060', 'APIGW.0308']);

/** The codes that mean "no such image", whichever API answers. */
export const IMAGE_MISSING_CODES: ReadonlySet<string> = new Set(['IMG.0027', 'IMG.0144', 'IMG.0086']);

/** Connection failures where the request certainly never reached the service. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const imsErrorBody = z.object({ error: z.object({ code: z.string().check(z.minLength(1), z.maxLength(64)), message: z.optional(z.string()) }) });
const gatewayErrorBody = z.object({
  error_code: z.string().check(z.minLength(1), z.maxLength(64)),
  error_msg: z.optional(z.string()),
  request_id: z.optional(z.string()),
});

export interface ImsCallContext {
  readonly operation: ImsOperation;
  readonly region: string;
  /** Values that must never appear in an error (the SK, the security token). */
  readonly secrets: readonly string[];
}

export type ImsErrorDetails = Record<string, string | number | boolean | undefined>;

const MAX_MESSAGE = 300;

/** Removes secrets and control characters and bounds the length: API text is untrusted. */
export const cleanText = (text: string, secrets: readonly string[]): string => {
  const redacted = secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  const printable = redacted.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return printable.length > MAX_MESSAGE ? `${printable.slice(0, MAX_MESSAGE)}…` : printable;
};

const where = (context: ImsCallContext): string => `${serviceOf(context.operation)} ${context.operation} in ${context.region}`;

/** Reads an error answer (IMS `{"error":{code,message}}`, gateway `{"error_code",…}`, anything else). */
export const errorFromAnswer = (
  context: ImsCallContext,
  answer: { readonly status: number; readonly body: string; readonly requestId?: string | undefined },
): ReplicationError => {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    json = undefined;
  }
  const ims = z.safeParse(imsErrorBody, json);
  const gateway = z.safeParse(gatewayErrorBody, json);
  const apiCode = ims.success ? ims.data.error.code : gateway.success ? gateway.data.error_code : undefined;
  const apiMessage = ims.success ? ims.data.error.message : gateway.success ? gateway.data.error_msg : undefined;
  const code = apiCode === undefined ? `Http${answer.status}` : cleanText(apiCode, context.secrets);
  const message = cleanText(apiMessage ?? (answer.body === '' ? 'no body' : answer.body), context.secrets);
  const requestId = answer.requestId ?? (gateway.success ? gateway.data.request_id : undefined);
  const retryable = RETRYABLE_API_CODES.has(code) || answer.status >= 500 || answer.status === 429;
  const details: ImsErrorDetails = {
    operation: context.operation,
    region: context.region,
    httpStatus: answer.status,
    apiCode,
    requestId: requestId === undefined ? undefined : cleanText(requestId, context.secrets),
    // A 5xx may come after the service acted; a 4xx is a refusal.
    mayHaveRun: answer.status >= 500,
  };
  const text = `${where(context)} failed with HTTP ${answer.status}: ${code}: ${message}`;
  return retryable ? new RetryableError(code, text, { details }) : new TerminalError(code, text, { details });
};

/** Classifies what fetch threw: a timeout, or a network failure (sent or not). */
export const errorFromFailure = (context: ImsCallContext, error: unknown, timedOut: boolean): ReplicationError => {
  const cause = error instanceof Error ? error.cause : undefined;
  const causeCode = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const raw = [error instanceof Error ? error.message : String(error), cause instanceof Error ? cause.message : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
  const message = cleanText(raw, context.secrets);
  if (timedOut) {
    return new RetryableError(ImsErrorCode.Timeout, `${where(context)} timed out: ${message}`, {
      cause: error,
      details: { operation: context.operation, region: context.region, mayHaveRun: true },
    });
  }
  const notSent = causeCode !== undefined && NOT_SENT_CODES.has(causeCode);
  return new RetryableError(ImsErrorCode.Network, `${where(context)} failed on the network (${causeCode ?? 'reset'}): ${message}`, {
    cause: error,
    details: { operation: context.operation, region: context.region, networkCode: causeCode, mayHaveRun: !notSent },
  });
};

/** A 2xx answer we cannot read: the service may well have acted. */
export const unexpectedAnswer = (context: ImsCallContext, status: number, problem: string, cause?: unknown): ReplicationError =>
  new TerminalError(ImsErrorCode.UnexpectedResponse, `${where(context)} answered HTTP ${status} with an undocumented body: ${cleanText(problem, context.secrets)}`, {
    cause,
    details: { operation: context.operation, region: context.region, httpStatus: status, mayHaveRun: true },
  });

/** Zod issues as one line: the field paths and what was wrong. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');

/** True when the call may have been performed although it failed: never resubmit blindly. */
export const mayHaveRun = (error: unknown): boolean => isReplicationError(error) && error.details.mayHaveRun === true;

export const apiCodeOf = (error: unknown): string | undefined =>
  isReplicationError(error) && typeof error.details.apiCode === 'string' ? error.details.apiCode : undefined;

/**
 * "No such thing" from IMS: a missing-image code, or a 404 that is not the gateway's own (a
 * gateway 404 means a wrong endpoint or path, which must not pass for an absent image).
 */
export const isNotFound = (error: unknown): boolean => {
  if (!isReplicationError(error)) return false;
  if (IMAGE_MISSING_CODES.has(error.code)) return true;
  return error.details.httpStatus === 404 && !error.code.startsWith('APIGW.');
};

export const httpStatusOf = (error: unknown): number | undefined =>
  isReplicationError(error) && typeof error.details.httpStatus === 'number' ? error.details.httpStatus : undefined;

/** Throttled (HTTP 429, gateway or IMS flow control): refused before anything was done. */
export const isThrottled = (error: unknown): boolean =>
  isReplicationError(error) && (error.details.httpStatus === 429 || THROTTLE_CODES.has(error.code));

/** A connection failure where the request certainly never reached the service (refused, no such host). */
export const wasNotSent = (error: unknown): boolean => isReplicationError(error) && error.code === ImsErrorCode.Network && error.details.mayHaveRun === false;

/**
 * Whether a failed request is worth sending again at once. Throttled or never sent: always, IMS did
 * nothing. Otherwise only a request that may be done twice (a read, a delete, adding tags), and
 * only when the failure is transient (a 5xx, a dropped connection). A timeout is not: it spent the
 * request's whole budget, and the caller, which knows its invocation's deadline, decides. Codes
 * that mean "later" (IMG.0149 busy, IMG.0090 still being made) are answers for the caller.
 */
export const worthResending = (error: unknown, idempotent: boolean): boolean => {
  if (!isReplicationError(error)) return false;
  if (isThrottled(error) || wasNotSent(error)) return true;
  if (!idempotent) return false;
  const status = error.details.httpStatus;
  return error.code === ImsErrorCode.Network || (typeof status === 'number' && status >= 500);
};
