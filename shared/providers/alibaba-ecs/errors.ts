import { type ReplicationError, RetryableError, TerminalError } from '../../core/domain/errors';
import { redactSecrets } from './credentials';
import * as z from '../../core/zod';

/**
 * API codes worth another try. Throttling and 5xx are transient; the copy conflicts clear when the
 * running copy of the same image ends, so the use case defers on them instead of failing the job.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ServiceUnavailable',
  'InternalError',
  'OperationDenied.ImageCopyConflict',
  'OperationDenied.ImageCopying',
  'InvalidOperation.Conflict',
]);

/** Node and httpx failures where the request may or may not have reached the API. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
]);

/** The parts of the SDK's AlibabaCloudError (and of plain network errors) we read. */
const sdkErrorShape = z.object({
  name: z.optional(z.string()),
  code: z.optional(z.union([z.string(), z.number()])),
  statusCode: z.optional(z.number()),
  requestId: z.optional(z.string()),
  message: z.optional(z.string()),
  data: z.nullish(z.looseObject({ Message: z.optional(z.string()), RequestId: z.optional(z.string()) })),
});

export interface EcsCallContext {
  /** The product's name in messages: ECS unless said (Auto Scaling). */
  readonly service?: string | undefined;
  readonly action: string;
  readonly region: string;
  readonly secrets: readonly string[];
}

/** Classifies whatever a call threw into the product's error family; `cause` keeps the original. */
export const toEcsError = (error: unknown, context: EcsCallContext): ReplicationError => {
  const parsed = z.safeParse(sdkErrorShape, error);
  const shape = parsed.success ? parsed.data : {};
  const status = shape.statusCode;
  // The SDK turns an error body without `Code` into the string 'undefined'.
  const rawCode = shape.code === undefined ? undefined : String(shape.code);
  const apiCode = rawCode === 'undefined' || rawCode === '' ? undefined : rawCode;
  const code = apiCode ?? (status === undefined ? undefined : `Http${status}`);
  const apiMessage = redactSecrets(shape.data?.Message ?? shape.message ?? String(error), context.secrets);
  const requestId = shape.data?.RequestId ?? (shape.requestId === 'undefined' ? undefined : shape.requestId);
  const details = { action: context.action, region: context.region, requestId, httpStatus: status, apiCode: code };
  const where = `${context.service ?? 'ECS'} ${context.action} in ${context.region}`;

  if (status !== undefined && code !== undefined) {
    const retryable = code.startsWith('Throttling') || RETRYABLE_CODES.has(code) || status >= 500 || status === 429;
    const message =
      apiCode === undefined ? `${where} failed with HTTP ${status} and no error code` : `${where} failed: ${code}: ${apiMessage}`;
    return retryable
      ? new RetryableError(code, message, { cause: error, details })
      : new TerminalError(code, message, { cause: error, details });
  }
  if (shape.name === 'RequestTimeoutError') {
    return new RetryableError('Timeout', `${where} timed out: ${apiMessage}`, { cause: error, details });
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || /socket hang up/i.test(apiMessage)) {
    return new RetryableError('NetworkError', `${where} failed on the network (${code ?? 'reset'}): ${apiMessage}`, { cause: error, details });
  }
  if (code === 'InvalidCredentials') {
    return new TerminalError('InvalidCredentials', `${where}: no usable Alibaba Cloud credentials`, { cause: error, details });
  }
  // Unclassified (a credential provider's own fetch, an SDK bug): losing the work would be worse than a retry.
  return new RetryableError('EcsUnexpected', `${where} failed unexpectedly: ${apiMessage}`, { cause: error, details });
};
