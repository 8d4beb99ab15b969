import { readValidatedPolicy } from './validated-policy';
import { readFileSync } from 'node:fs';
import { explicitCredentials } from '../../providers/alibaba-ecs/credentials';
import { ESS_ENDPOINT_ENV, parseEcsEndpoint } from '../../providers/alibaba-ecs/image-cloud';
import { createProviders } from '../providers';
import { guardedWebhookTransport } from '../http/webhook-transport';
import { createJsonLogger } from '../logging/json-logger';
import { MnsMessageQueue } from '../../stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../stores/tablestore/tablestore-job-store';
import { type FunctionEnv, loadFunctionEnv } from './function-env';
import { parsePolicyConfig, resolveWebhookSecrets, type WebhookSecrets } from '../../core/config/load-policy-config';
import type { PolicyConfig } from '../../core/config/policy-config';
import { PROVIDER_RULES } from '../../providers/catalog';
import { systemClock } from '../../core/domain/clock';
import { ConfigError } from '../../core/domain/errors';
import { createMemoryPlanHints } from '../../stores/memory/memory-plan-hints';
import { type FcCredentials, memoizeByCredentials } from './context';
import type { Dependencies, Wiring } from './dependencies';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const loadPolicy = (env: FunctionEnv): PolicyConfig => {
  if (env.IMAGE_REPLICATOR_POLICY !== undefined) return parsePolicyConfig(env.IMAGE_REPLICATOR_POLICY, 'IMAGE_REPLICATOR_POLICY', PROVIDER_RULES);
  const file = env.IMAGE_REPLICATOR_POLICY_FILE ?? '';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`IMAGE_REPLICATOR_POLICY_FILE: cannot read ${file}`, { cause: error });
  }
  // The build validated the bundled policy and wrote its checked form beside it, bound to this text.
  return readValidatedPolicy(file, text) ?? parsePolicyConfig(text, file, PROVIDER_RULES);
};

const mnsEndpoint = (env: FunctionEnv): string => {
  if (env.IMAGE_REPLICATOR_MNS_ENDPOINT !== undefined) return env.IMAGE_REPLICATOR_MNS_ENDPOINT;
  if (env.IMAGE_REPLICATOR_ACCOUNT_ID === undefined) {
    throw new ConfigError('function environment is incomplete:\nIMAGE_REPLICATOR_MNS_ENDPOINT or IMAGE_REPLICATOR_ACCOUNT_ID must be set');
  }
  return `https://${env.IMAGE_REPLICATOR_ACCOUNT_ID}.mns.${env.IMAGE_REPLICATOR_REGION}.aliyuncs.com`;
};

/**
 * The FC composition root: environment and policy validated once at cold start (a bad one fails
 * the start with the variable or zod path in the log), clients built once per STS credential set.
 */
export const createCloudWiring = (processEnv: NodeJS.ProcessEnv, options: { webhookSecrets: boolean }): Wiring => {
  const env = loadFunctionEnv(processEnv);
  const config = loadPolicy(env);
  const secrets: WebhookSecrets = options.webhookSecrets ? resolveWebhookSecrets(config, processEnv) : new Map();
  const ecsEndpoint = env.IMAGE_REPLICATOR_ECS_ENDPOINT === undefined ? undefined : parseEcsEndpoint(env.IMAGE_REPLICATOR_ECS_ENDPOINT);
  const essEndpoint = env.IMAGE_REPLICATOR_ESS_ENDPOINT === undefined ? undefined : parseEcsEndpoint(env.IMAGE_REPLICATOR_ESS_ENDPOINT, ESS_ENDPOINT_ENV);
  const mns = mnsEndpoint(env);
  const accountId = env.IMAGE_REPLICATOR_ACCOUNT_ID ?? new URL(mns).hostname.split('.')[0] ?? '';
  const otsEndpoint = env.IMAGE_REPLICATOR_OTS_ENDPOINT ?? `https://${env.IMAGE_REPLICATOR_OTS_INSTANCE}.${env.IMAGE_REPLICATOR_REGION}.ots.aliyuncs.com`;

  // Kept across credential sets: the hint outlives an STS rotation, as long as the instance lives.
  const plans = createMemoryPlanHints();
  const build = memoizeByCredentials((credentials: FcCredentials | undefined): Dependencies => {
    if (credentials === undefined) {
      throw new ConfigError('the invocation carries no credentials: give the function a RAM role (s.yaml `role`)');
    }
    const logger = createJsonLogger({
      level: env.IMAGE_REPLICATOR_LOG_LEVEL,
      secrets: [...secrets.values(), credentials.accessKeySecret, credentials.securityToken ?? ''],
    });
    const queue = (queueName: string) =>
      new MnsMessageQueue({ accountId, region: env.IMAGE_REPLICATOR_REGION, endpoint: mns, credentials, queueName });
    const jobs = new TablestoreJobStore({
      endpoint: otsEndpoint,
      instanceName: env.IMAGE_REPLICATOR_OTS_INSTANCE,
      tableName: env.IMAGE_REPLICATOR_TABLE,
      credentials,
      logger,
    });
    return {
      config,
      secrets,
      providers: createProviders({
        env: processEnv,
        config,
        alibabaDefault: explicitCredentials(credentials),
        ecsEndpoint,
        essEndpoint,
        huaweiEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT,
        huaweiEcsEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT,
        huaweiAsEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT,
        wallClock: systemClock,
      }),
      jobs,
      // Speeds and chat webhooks' outboxes sit in the jobs' table: every instance shares them.
      speeds: jobs,
      plans,
      outbox: jobs.outbox,
      queues: {
        startCopy: queue(env.IMAGE_REPLICATOR_START_COPY_QUEUE),
        notify: queue(env.IMAGE_REPLICATOR_NOTIFY_QUEUE),
        poll: queue(env.IMAGE_REPLICATOR_POLL_QUEUE),
      },
      deadLetters: queue(env.IMAGE_REPLICATOR_DEAD_LETTER_QUEUE),
      transport: guardedWebhookTransport,
      clock: systemClock,
      wallClock: systemClock,
      logger,
      pause: sleep,
    };
  });
  return { dependencies: build };
};
