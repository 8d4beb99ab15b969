/**
 * The one credentials type: an access key pair, optionally with a temporary security token. FC
 * hands Alibaba's STS set to every invocation in this shape; Huawei's AK/SK (and security token)
 * take the same shape. Values never appear in logs or errors: adapters redact them.
 */
export interface AccessKeyCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** The values that must never be printed. */
export const secretValuesOf = (credentials: AccessKeyCredentials | undefined): readonly string[] =>
  credentials === undefined ? [] : [credentials.accessKeySecret, credentials.securityToken].filter((s): s is string => s !== undefined && s.length > 0);
