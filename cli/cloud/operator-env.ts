import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatIssues } from '../../shared/core/config/load-policy-config';
import { ConfigError } from '../../shared/core/domain/errors';
import { FunctionEnv } from '../../shared/platform/fc/function-env';
import * as z from '../../shared/core/zod';

/**
 * What an operator command needs to reach a deployment: the functions' own variables (the same
 * names and checks as shared/platform/fc/function-env.ts, so one set of values serves both) and an
 * AccessKey, since the CLI has no function role to borrow one from.
 */
export const OperatorEnv = z.extend(
  z.pick(FunctionEnv, {
    IMAGE_REPLICATOR_REGION: true,
    IMAGE_REPLICATOR_POLICY_FILE: true,
    IMAGE_REPLICATOR_POLICY: true,
    IMAGE_REPLICATOR_OTS_INSTANCE: true,
    IMAGE_REPLICATOR_OTS_ENDPOINT: true,
    IMAGE_REPLICATOR_TABLE: true,
    IMAGE_REPLICATOR_START_COPY_QUEUE: true,
    IMAGE_REPLICATOR_NOTIFY_QUEUE: true,
    IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: true,
    IMAGE_REPLICATOR_MNS_ENDPOINT: true,
    IMAGE_REPLICATOR_ACCOUNT_ID: true,
    IMAGE_REPLICATOR_ECS_ENDPOINT: true,
    IMAGE_REPLICATOR_ESS_ENDPOINT: true,
    IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: true,
    IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT: true,
    IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT: true,
  }),
  {
    /** Operator commands send no looks; a profile written before the poll queue existed still serves. */
    IMAGE_REPLICATOR_POLL_QUEUE: z.optional(FunctionEnv.shape.IMAGE_REPLICATOR_POLL_QUEUE),
    ALIBABA_CLOUD_ACCESS_KEY_ID: z.string().check(z.minLength(1, 'the operator AccessKey id')),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: z.string().check(z.minLength(1, 'the operator AccessKey secret')),
    ALIBABA_CLOUD_SECURITY_TOKEN: z.optional(z.string().check(z.minLength(1))),
  },
);
export type OperatorEnv = z.infer<typeof OperatorEnv>;

const ProfileMap = z.record(z.string(), z.pipe(z.union([z.string(), z.number()]), z.transform(String)));

/** A profile file: the same variables as `KEY: value` (YAML) or `KEY=value` lines (a .env file). */
export const readProfile = (path: string): Record<string, string> => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the profile ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  if (lines.length > 0 && lines.every((line) => /^\s*(export\s+)?[A-Z_][A-Z0-9_]*=/.test(line))) {
    return Object.fromEntries(
      lines.map((line) => {
        const [key = '', ...rest] = line.replace(/^\s*export\s+/, '').split('=');
        return [key.trim(), rest.join('=').trim().replace(/^(['"])(.*)\1$/, '$2')];
      }),
    );
  }
  const parsed = z.safeParse(ProfileMap, parseYaml(text));
  if (!parsed.success) throw new ConfigError(`${path} is not a profile: expected KEY: value or KEY=value lines`);
  return parsed.data;
};

/** The variables from the environment, a profile's values taking precedence; exit 2 naming what is missing. */
export const loadOperatorEnv = (env: NodeJS.ProcessEnv, profile?: Record<string, string>): OperatorEnv => {
  const result = z.safeParse(OperatorEnv, { ...env, ...profile });
  // Paths and messages only: the values may be secrets.
  if (!result.success) throw new ConfigError(`--cloud needs the functions' variables and an AccessKey:\n${formatIssues(result.error.issues)}`);
  return result.data;
};

/** The MNS endpoint as the functions compute it. */
export const mnsEndpointOf = (env: OperatorEnv): string => {
  if (env.IMAGE_REPLICATOR_MNS_ENDPOINT !== undefined) return env.IMAGE_REPLICATOR_MNS_ENDPOINT;
  if (env.IMAGE_REPLICATOR_ACCOUNT_ID === undefined) throw new ConfigError('--cloud needs IMAGE_REPLICATOR_MNS_ENDPOINT or IMAGE_REPLICATOR_ACCOUNT_ID');
  return `https://${env.IMAGE_REPLICATOR_ACCOUNT_ID}.mns.${env.IMAGE_REPLICATOR_REGION}.aliyuncs.com`;
};

export const otsEndpointOf = (env: OperatorEnv): string =>
  env.IMAGE_REPLICATOR_OTS_ENDPOINT ?? `https://${env.IMAGE_REPLICATOR_OTS_INSTANCE}.${env.IMAGE_REPLICATOR_REGION}.ots.aliyuncs.com`;
