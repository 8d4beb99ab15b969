import { ConfigError } from '../core/domain/errors';
import { DEFAULT_ACCOUNT, type ProviderId } from '../core/domain/provider';
import type { AccessKeyCredentials } from '../core/ports/credentials';

/**
 * Where the credentials of an account other than the default one come from: three variables
 * named after the provider and the account, e.g. account `prod-eu` on Huawei reads
 * IMAGE_REPLICATOR_HUAWEI_PROD_EU_ACCESS_KEY_ID, …_ACCESS_KEY_SECRET and (optional) …_SECURITY_TOKEN.
 * The default account uses what the platform gives (FC's role on Alibaba, the SDK variables on Huawei).
 */
export const accountVariables = (provider: ProviderId, account: string) => {
  const prefix = `IMAGE_REPLICATOR_${provider.toUpperCase()}_${account.toUpperCase().replace(/-/g, '_')}_`;
  return { accessKeyId: `${prefix}ACCESS_KEY_ID`, accessKeySecret: `${prefix}ACCESS_KEY_SECRET`, securityToken: `${prefix}SECURITY_TOKEN` };
};

/** The credentials of a named account; the error names the variables, never their values. */
export const namedAccountCredentials = (env: NodeJS.ProcessEnv, provider: ProviderId, account: string): AccessKeyCredentials => {
  if (account === DEFAULT_ACCOUNT) throw new ConfigError('the default account takes the platform\'s credentials');
  const names = accountVariables(provider, account);
  const accessKeyId = env[names.accessKeyId]?.trim();
  const accessKeySecret = env[names.accessKeySecret]?.trim();
  if (!accessKeyId || !accessKeySecret) {
    throw new ConfigError(`${provider} account ${account} has no credentials: set ${names.accessKeyId} and ${names.accessKeySecret}`);
  }
  const securityToken = env[names.securityToken]?.trim();
  return securityToken ? { accessKeyId, accessKeySecret, securityToken } : { accessKeyId, accessKeySecret };
};
