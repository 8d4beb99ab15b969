import { isReplicationError } from '../../core/domain/errors';
import { RefusalReason, type StartCopyResult } from '../../core/ports/copy-provider';
import { IMAGE_MISSING_CODES, THROTTLE_CODES, apiCodeOf, httpStatusOf, mayHaveRun } from './errors';

const BUSY_CODES: ReadonlySet<string> = new Set([
  'IMG.0149', // five cross-region copies already running for the tenant
  'IMG.0046', // the source image is not usable yet
]);
const QUOTA_CODES: ReadonlySet<string> = new Set(['IMG.0015']);

/**
 * What a failed cross_region_copy means for the core. A refusal IMS states (4xx with an IMG code)
 * is an answer; an answer we never got, a 5xx or an unreadable 2xx may hide a running copy, so it
 * is `unknown` and the core looks for the copy instead of submitting again. Anything else (bad
 * credentials, permissions, a request that never left) is thrown for the retry helper to judge.
 */
export const startFailure = (error: unknown, agencyName: string): StartCopyResult => {
  if (!isReplicationError(error)) throw error;
  if (mayHaveRun(error)) return { kind: 'unknown', code: error.code, message: error.message };
  const code = apiCodeOf(error);
  const status = httpStatusOf(error);
  if (code === undefined || status === undefined) throw error;
  if (IMAGE_MISSING_CODES.has(code)) return { kind: 'source-missing', code, message: error.message };
  if (BUSY_CODES.has(code)) return { kind: 'refused', reason: RefusalReason.Busy, code, message: error.message };
  if (THROTTLE_CODES.has(code) || status === 429) return { kind: 'refused', reason: RefusalReason.Throttled, code, message: error.message };
  if (QUOTA_CODES.has(code)) return { kind: 'refused', reason: RefusalReason.Quota, code, message: error.message };
  if (code === 'IMG.0151') {
    return {
      kind: 'refused',
      reason: RefusalReason.Invalid,
      code,
      message: `IAM agency "${agencyName}" cannot act on the destination project: grant it IMS Administrator there (${error.message})`,
    };
  }
  // Any other IMS refusal of this request (size, encryption, region, project, name, full-ECS image…) will not change on retry.
  if (status === 400 && code.startsWith('IMG.')) return { kind: 'refused', reason: RefusalReason.Invalid, code, message: error.message };
  throw error;
};
