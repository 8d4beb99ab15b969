import { systemClock } from '../../shared/core/domain/clock';
import type { Logger } from '../../shared/core/ports/logger';
import { createProviders } from '../../shared/platform/providers';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { ESS_ENDPOINT_ENV, parseEcsEndpoint } from '../../shared/providers/alibaba-ecs/image-cloud';
import { MnsMessageQueue } from '../../shared/stores/mns/mns-message-queue';
import { TablestoreJobStore } from '../../shared/stores/tablestore/tablestore-job-store';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { FunctionName } from '../../runtime/local-runtime';
import type { OperatorBackend } from '../backend';
import { CliFailure } from '../errors';
import { ConfigError } from '../../shared/core/domain/errors';
import { watchCorruptRows } from '../local/corrupt-rows';
import { loadPolicyFile } from '../policy/load';
import { MnsDeadLetterBox } from './mns-dead-letters';
import { mnsEndpointOf, type OperatorEnv, otsEndpointOf } from './operator-env';

/** The values of a cloud backend never to print. */
export const cloudSecrets = (env: OperatorEnv): string[] => [env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, env.ALIBABA_CLOUD_SECURITY_TOKEN ?? ''].filter((s) => s !== '');

/**
 * A deployment as the functions see it: the Tablestore job table and the MNS queues named by the
 * functions' variables, reached with the operator's AccessKey.
 */
export const openCloudBackend = (env: OperatorEnv, processEnv: NodeJS.ProcessEnv, options: { readonly logger?: Logger } = {}): OperatorBackend => {
  const credentials = {
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    ...(env.ALIBABA_CLOUD_SECURITY_TOKEN === undefined ? {} : { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN }),
  };
  const corrupt = new Map<string, string>();
  const jobs = new TablestoreJobStore({
    endpoint: otsEndpointOf(env),
    instanceName: env.IMAGE_REPLICATOR_OTS_INSTANCE,
    tableName: env.IMAGE_REPLICATOR_TABLE,
    credentials,
    logger: watchCorruptRows(options.logger ?? silentLogger, corrupt),
  });
  const endpoint = mnsEndpointOf(env);
  /** No operator command schedules a look; were one to, it would say what is missing rather than send nowhere. */
  const NO_POLL_QUEUE = {
    send: async (): Promise<never> => {
      throw new ConfigError('IMAGE_REPLICATOR_POLL_QUEUE is not set');
    },
  };
  const accountId = env.IMAGE_REPLICATOR_ACCOUNT_ID ?? new URL(endpoint).hostname.split('.')[0] ?? '';
  const queue = (queueName: string) => new MnsMessageQueue({ accountId, region: env.IMAGE_REPLICATOR_REGION, endpoint, credentials, queueName });
  const startCopy = queue(env.IMAGE_REPLICATOR_START_COPY_QUEUE);
  const notify = queue(env.IMAGE_REPLICATOR_NOTIFY_QUEUE);
  const deadLetters = new MnsDeadLetterBox(queue(env.IMAGE_REPLICATOR_DEAD_LETTER_QUEUE), { [FunctionName.StartCopy]: startCopy, [FunctionName.Notify]: notify });
  return {
    kind: 'cloud',
    where: `Tablestore table ${env.IMAGE_REPLICATOR_TABLE} (${env.IMAGE_REPLICATOR_OTS_INSTANCE}) and MNS queues in ${env.IMAGE_REPLICATOR_REGION}`,
    jobs,
    queues: { startCopy, notify, poll: env.IMAGE_REPLICATOR_POLL_QUEUE === undefined ? NO_POLL_QUEUE : queue(env.IMAGE_REPLICATOR_POLL_QUEUE) },
    deadLetters,
    clock: systemClock,
    corrupt,
    providers: () => {
      // Cancelling a running copy asks its provider, which needs the policy's project ids and regions.
      const config =
        env.IMAGE_REPLICATOR_POLICY !== undefined
          ? parsePolicyConfig(env.IMAGE_REPLICATOR_POLICY, 'IMAGE_REPLICATOR_POLICY', PROVIDER_RULES)
          : env.IMAGE_REPLICATOR_POLICY_FILE !== undefined
            ? loadPolicyFile(env.IMAGE_REPLICATOR_POLICY_FILE)
            : undefined;
      if (config === undefined) throw new CliFailure('stopping a running copy needs the policy: set IMAGE_REPLICATOR_POLICY_FILE or IMAGE_REPLICATOR_POLICY', 2);
      return createProviders({
        env: processEnv,
        config,
        alibabaDefault: explicitCredentials(credentials),
        ecsEndpoint: env.IMAGE_REPLICATOR_ECS_ENDPOINT === undefined ? undefined : parseEcsEndpoint(env.IMAGE_REPLICATOR_ECS_ENDPOINT),
        essEndpoint: env.IMAGE_REPLICATOR_ESS_ENDPOINT === undefined ? undefined : parseEcsEndpoint(env.IMAGE_REPLICATOR_ESS_ENDPOINT, ESS_ENDPOINT_ENV),
        huaweiEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT,
        huaweiEcsEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT,
        huaweiAsEndpointTemplate: env.IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT,
        wallClock: systemClock,
      });
    },
    close: async () => undefined,
  };
};
