import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { ConfigError } from '../../core/domain/errors';
import * as z from '../../core/zod';

/** An AccessKey pair, optionally with an STS token: what FC hands a function in `context.credentials`. */
export interface AlibabaCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * Where the credentials come from: given explicitly (FC's per-invocation STS set, tests), or the
 * `@alicloud/credentials` default chain (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN,
 * the profile file, the instance role, …), which the SDK never consults on its own.
 */
export type AlibabaCredentialSource =
  | { readonly kind: 'explicit'; readonly credentials: AlibabaCredentials }
  | { readonly kind: 'default-chain' };

export const explicitCredentials = (credentials: AlibabaCredentials): AlibabaCredentialSource => ({ kind: 'explicit', credentials });

export const DEFAULT_CREDENTIAL_CHAIN: AlibabaCredentialSource = { kind: 'default-chain' };

const credentialsSchema = z.object({
  accessKeyId: z.string().check(z.minLength(1)),
  accessKeySecret: z.string().check(z.minLength(1)),
  securityToken: z.optional(z.string().check(z.minLength(1))),
});

/** Reads `context.credentials` of an FC 3.0 invocation. The message names fields, never values. */
export const credentialsFromFcContext = (context: unknown): AlibabaCredentials => {
  const parsed = z.safeParse(z.object({ credentials: credentialsSchema }), context);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigError(`the function context carries no usable credentials (${fields})`);
  }
  return parsed.data.credentials;
};

/** The SDK credential object for a source; explicit sets with a token become STS credentials. */
export const sdkCredential = (source: AlibabaCredentialSource): Credential => {
  if (source.kind === 'default-chain') return new Credential();
  const { accessKeyId, accessKeySecret, securityToken } = source.credentials;
  return new Credential(
    new CredentialConfig(
      securityToken === undefined
        ? { type: 'access_key', accessKeyId, accessKeySecret }
        : { type: 'sts', accessKeyId, accessKeySecret, securityToken },
    ),
  );
};

/** The values that must never appear in an error or a log line. */
export const secretsOf = (source: AlibabaCredentialSource, env: NodeJS.ProcessEnv = process.env): readonly string[] =>
  (source.kind === 'explicit'
    ? [source.credentials.accessKeySecret, source.credentials.securityToken]
    : [env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, env.ALIBABA_CLOUD_SECURITY_TOKEN]
  ).filter((s): s is string => s !== undefined && s.length > 0);

export const redactSecrets = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
