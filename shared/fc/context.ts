/** The parts of FC 3.0's `context` we use. Credentials are the function role's STS keys. */
export interface FcCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export interface FcContext {
  readonly requestId: string;
  readonly credentials?: FcCredentials | undefined;
  readonly function?: { readonly name?: string | undefined } | undefined;
  readonly region?: string | undefined;
  readonly accountId?: string | undefined;
}

export type FcHandler = (event: Buffer, context: FcContext) => Promise<unknown>;

/**
 * Builds something once per credential set. FC rotates the role's STS keys; a new set means new
 * clients, the same set means the warm ones. Keyed by the access key id and a hash-free token tail
 * so nothing secret is kept as a map key.
 */
export const memoizeByCredentials = <T>(build: (credentials: FcCredentials | undefined) => T) => {
  let last: { key: string; value: T } | undefined;
  return (credentials: FcCredentials | undefined): T => {
    const key = credentials === undefined ? '(default chain)' : `${credentials.accessKeyId}:${credentials.securityToken?.length ?? 0}:${credentials.securityToken?.slice(-8) ?? ''}`;
    if (last?.key !== key) last = { key, value: build(credentials) };
    return last.value;
  };
};
