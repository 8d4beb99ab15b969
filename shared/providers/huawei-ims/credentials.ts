import { ConfigError } from '../../core/domain/errors';
import type { AccessKeyCredentials } from '../../core/ports/credentials';

/** The environment variables the Huawei Cloud SDKs read. */
export const HUAWEI_ENV = {
  accessKey: 'HUAWEICLOUD_SDK_AK',
  secretKey: 'HUAWEICLOUD_SDK_SK',
  securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
} as const;

/**
 * Huawei credentials from the standard variables. HUAWEICLOUD_SDK_PROJECT_ID is deliberately not
 * read: a project id belongs to one region, and a copy touches two, so project ids come from the
 * configuration, per region. Errors name the variable, never its value.
 */
export const huaweiCredentialsFromEnv = (env: NodeJS.ProcessEnv = process.env): AccessKeyCredentials => {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const accessKeyId = read(HUAWEI_ENV.accessKey);
  const accessKeySecret = read(HUAWEI_ENV.secretKey);
  const missing: string[] = [];
  if (accessKeyId === undefined) missing.push(HUAWEI_ENV.accessKey);
  if (accessKeySecret === undefined) missing.push(HUAWEI_ENV.secretKey);
  if (accessKeyId === undefined || accessKeySecret === undefined) {
    throw new ConfigError(`Huawei Cloud credentials are incomplete: set ${missing.join(' and ')}`);
  }
  const securityToken = read(HUAWEI_ENV.securityToken);
  return securityToken === undefined ? { accessKeyId, accessKeySecret } : { accessKeyId, accessKeySecret, securityToken };
};
