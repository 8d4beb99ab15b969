import { ConfigError } from '../../core/domain/errors';
import { formatIssues } from '../../core/config/load-policy-config';
import * as z from '../../core/zod';

/**
 * The environment each function reads at cold start (set by s.yaml). A missing or malformed
 * variable fails the cold start with its name, before any event is touched.
 */
export const FunctionEnv = z.object({
  /** Region the table and queues live in (FC sets FC_REGION too). */
  IMAGE_REPLICATOR_REGION: z.string().check(z.regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a region id such as cn-hangzhou')),
  /** Path of the policy file inside the code package, or the policy YAML itself. */
  IMAGE_REPLICATOR_POLICY_FILE: z.optional(z.string().check(z.minLength(1))),
  IMAGE_REPLICATOR_POLICY: z.optional(z.string().check(z.minLength(1))),
  IMAGE_REPLICATOR_OTS_INSTANCE: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{2,15}$/, 'a Tablestore instance name')),
  /** Defaults to the instance's public endpoint in the region; the VPC endpoint is faster from FC in a VPC. */
  IMAGE_REPLICATOR_OTS_ENDPOINT: z.optional(z.url()),
  IMAGE_REPLICATOR_TABLE: z.string().check(z.regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/, 'a Tablestore table name')),
  IMAGE_REPLICATOR_START_COPY_QUEUE: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,255}$/, 'an MNS queue name')),
  IMAGE_REPLICATOR_NOTIFY_QUEUE: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,255}$/, 'an MNS queue name')),
  /** Delayed looks at copies due before the next timer tick; poll-status consumes it. */
  IMAGE_REPLICATOR_POLL_QUEUE: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,255}$/, 'an MNS queue name')),
  IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,255}$/, 'an MNS queue name')),
  /** Defaults to http(s)://<account>.mns.<region>.aliyuncs.com. */
  IMAGE_REPLICATOR_MNS_ENDPOINT: z.optional(z.url()),
  /** The account id; FC also passes it on the context. */
  IMAGE_REPLICATOR_ACCOUNT_ID: z.optional(z.string().check(z.regex(/^\d{6,32}$/, 'a numeric account id'))),
  /** Override for the ECS API (the simulator, a private endpoint): http://127.0.0.1:8123. */
  IMAGE_REPLICATOR_ECS_ENDPOINT: z.optional(z.url()),
  /** Override for Auto Scaling (retention's in-use check); the ECS override when absent. */
  IMAGE_REPLICATOR_ESS_ENDPOINT: z.optional(z.url()),
  /** Override for Huawei IMS, a URL template with {region}: http://127.0.0.1:8124/{region} for the simulator. */
  IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: z.optional(z.string().check(z.includes('{region}'))),
  /** Override for Huawei ECS (retention asks it which servers run from a copy); the IMS override when absent. */
  IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT: z.optional(z.string().check(z.includes('{region}'))),
  /** Override for Huawei Auto Scaling (retention asks it which configurations launch a copy); the IMS override when absent. */
  IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT: z.optional(z.string().check(z.includes('{region}'))),
  IMAGE_REPLICATOR_LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
});
export type FunctionEnv = z.infer<typeof FunctionEnv>;

export const loadFunctionEnv = (env: NodeJS.ProcessEnv): FunctionEnv => {
  const result = z.safeParse(FunctionEnv, env);
  if (!result.success) throw new ConfigError(`function environment is incomplete:\n${formatIssues(result.error.issues)}`);
  if (result.data.IMAGE_REPLICATOR_POLICY_FILE === undefined && result.data.IMAGE_REPLICATOR_POLICY === undefined) {
    throw new ConfigError('function environment is incomplete:\nIMAGE_REPLICATOR_POLICY_FILE or IMAGE_REPLICATOR_POLICY must be set');
  }
  return result.data;
};
