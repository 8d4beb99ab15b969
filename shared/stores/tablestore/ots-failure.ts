import { OtsError, StoreNetworkError } from './wire/ots-client';

/** Busy, throttled, not ready or unreachable: worth the same request again shortly. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'OTSServerBusy',
  'OTSNotEnoughCapacityUnit',
  'OTSTableNotReady',
  'OTSPartitionUnavailable',
  'OTSOperationThrottled',
  'OTSQuotaExhausted',
  'OTSRowOperationConflict',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'NetworkingError',
  'HTTP500',
  'HTTP502',
  'HTTP503',
  'HTTP504',
]);

export const CONDITION_FAILED = 'OTSConditionCheckFail';

export const isRetryableOtsCode = (code: string): boolean => RETRYABLE_CODES.has(code);

export interface OtsFailure {
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus?: number | undefined;
  readonly requestId?: string | undefined;
}

/**
 * What went wrong with a Tablestore call: our client's OtsError and network errors, and, for the
 * tests that drive the wire fake with the SDK, the SDK's errors (its `code` is the HTTP status
 * and the service's code sits inside `message` among protobuf bytes).
 */
export const describeOtsFailure = (error: unknown): OtsFailure => {
  if (error instanceof OtsError) {
    return { code: error.code, retryable: isRetryableOtsCode(error.code), httpStatus: error.httpStatus, requestId: error.requestId };
  }
  if (error instanceof StoreNetworkError) return { code: 'NetworkingError', retryable: true };
  const shape = typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown }) : {};
  const message = typeof shape.message === 'string' ? shape.message : '';
  const httpStatus = typeof shape.code === 'number' ? shape.code : undefined;
  const requestId = /requestId:\s*([\w-]+)/.exec(message)?.[1];
  const fromCode = typeof shape.code === 'string' ? shape.code : undefined;
  let code: string;
  if (fromCode === 'NetworkingError' || fromCode === 'TimeoutError') code = 'NetworkingError';
  else if (fromCode?.startsWith('OTS')) code = fromCode;
  else code = /OTS[A-Z][A-Za-z]*/.exec(message)?.[0] ?? (httpStatus === undefined ? 'TablestoreError' : `HTTP${httpStatus}`);
  return { code, retryable: isRetryableOtsCode(code), httpStatus, requestId };
};
