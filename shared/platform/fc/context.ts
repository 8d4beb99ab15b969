import { createHash } from 'node:crypto';

import type { AccessKeyCredentials } from '../../core/ports/credentials';

/** FC hands the function role's STS keys in the product's one credentials shape. */
export type FcCredentials = AccessKeyCredentials;

/** The parts of FC 3.0's `context` we use. */
export interface FcContext {
  readonly requestId: string;
  readonly credentials?: FcCredentials | undefined;
  /** `timeout` in seconds: the invocation is killed then, wherever it is. */
  readonly function?: { readonly name?: string | undefined; readonly timeout?: number | undefined } | undefined;
  readonly region?: string | undefined;
  readonly accountId?: string | undefined;
}

export type FcHandler = (event: Buffer, context: FcContext) => Promise<unknown>;

/**
 * Builds something once per credential set. FC rotates the role's STS keys; a new set means new
 * clients, the same set means the warm ones. Keyed by a digest of the set, so no secret is kept
 * around as a key.
 */
export const memoizeByCredentials = <T>(build: (credentials: FcCredentials | undefined) => T) => {
  let last: { key: string; value: T } | undefined;
  return (credentials: FcCredentials | undefined): T => {
    const key =
      credentials === undefined
        ? '(default chain)'
        : createHash('sha256').update(`${credentials.accessKeyId}\n${credentials.accessKeySecret}\n${credentials.securityToken ?? ''}`).digest('hex');
    if (last?.key !== key) last = { key, value: build(credentials) };
    return last.value;
  };
};
