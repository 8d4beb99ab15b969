import { join, resolve } from 'node:path';
import type { PolicyConfig } from '../shared/core/config/policy-config';
import { type Clock, systemClock } from '../shared/core/domain/clock';
import type { CopyProviders } from '../shared/core/ports/copy-provider';
import { createProviders, providerSecrets } from '../shared/platform/providers';
import { DEFAULT_CREDENTIAL_CHAIN, explicitCredentials, secretsOf } from '../shared/providers/alibaba-ecs/credentials';
import type { AlibabaCredentialSource } from '../shared/providers/alibaba-ecs/credentials';
import { type EcsEndpointOverride, ESS_ENDPOINT_ENV, ecsEndpointFromEnv } from '../shared/providers/alibaba-ecs/image-cloud';
import { createEcsSimulator, type EcsSimulator } from '../sim/ecs-simulator';
import { createImsSimulator, type ImsSimulator } from '../sim/huawei/ims-simulator';
import { loadImsSeedFile } from '../sim/huawei/seed';
import { loadSeedFile } from '../sim/seed';
import { packagePath } from './paths';

export const DEMO_SEED = 'sim/seeds/demo.yaml';
export const HUAWEI_DEMO_SEED = 'sim/seeds/huawei-demo.yaml';
export const HUAWEI_ENDPOINT_ENV = 'IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT';
/** The embedded ECS simulator's world in the state folder, kept between runs. */
export const SIM_WORLD_FILE = 'ecs-simulator.json';
/** The IMS simulator's world beside it: Huawei copies started by one command exist in the next. */
export const IMS_SIM_WORLD_FILE = 'ims-simulator.json';

export interface Target {
  /** What the user is told: where the copies happen. */
  readonly description: string;
  readonly kind: 'embedded-simulator' | 'endpoint-override' | 'cloud';
  readonly providers: CopyProviders;
  readonly clock: Clock;
  /** Present when the simulators run in this process. */
  readonly simulator?: EcsSimulator | undefined;
  readonly huaweiSimulator?: ImsSimulator | undefined;
  /** How the default Alibaba account is reached, for the calls the copy provider does not make (DescribeRegions). */
  readonly alibaba: { readonly credentials: AlibabaCredentialSource; readonly endpoint?: EcsEndpointOverride | undefined };
  /** Values never to print. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly seed?: string | undefined;
  readonly huaweiSeed?: string | undefined;
  readonly speed?: number | undefined;
  /** Where the embedded simulators keep their world between runs: a resumed run sees the same one. */
  readonly stateDir?: string | undefined;
}

/**
 * Where `run` copies images: explicit endpoint overrides win (standalone simulators, private
 * endpoints); otherwise the real clouds when credentials are in the environment; otherwise the
 * embedded simulators (ECS and IMS on one virtual clock), seeded from files and kept in the state
 * folder so that the next run resumes in the same world.
 */
export const selectTarget = async (env: NodeJS.ProcessEnv, config: PolicyConfig, options: TargetOptions = {}): Promise<Target> => {
  const ecsOverride = ecsEndpointFromEnv(env);
  const essOverride = ecsEndpointFromEnv(env, ESS_ENDPOINT_ENV);
  const huaweiOverride = env[HUAWEI_ENDPOINT_ENV] === '' ? undefined : env[HUAWEI_ENDPOINT_ENV];
  const fromEnvironment =
    ecsOverride !== undefined || huaweiOverride !== undefined || (env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '') !== '' || (env.HUAWEICLOUD_SDK_AK ?? '') !== '';
  if (fromEnvironment) {
    // Keys in the environment this command was given are used as given; otherwise the SDK's chain
    // (its config file, an instance role) finds them.
    const keyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '';
    const keySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '';
    const alibabaDefault =
      keyId !== '' && keySecret !== ''
        ? explicitCredentials({ accessKeyId: keyId, accessKeySecret: keySecret, ...((env.ALIBABA_CLOUD_SECURITY_TOKEN ?? '') === '' ? {} : { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN }) })
        : DEFAULT_CREDENTIAL_CHAIN;
    const huaweiEcsOverride = (env.IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT ?? '') === '' ? undefined : env.IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT;
    const huaweiAsOverride = (env.IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT ?? '') === '' ? undefined : env.IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT;
    const providers = createProviders({
      env,
      config,
      alibabaDefault,
      ecsEndpoint: ecsOverride,
      essEndpoint: essOverride,
      huaweiEndpointTemplate: huaweiOverride,
      huaweiEcsEndpointTemplate: huaweiEcsOverride,
      huaweiAsEndpointTemplate: huaweiAsOverride,
      wallClock: systemClock,
    });
    const where = [
      ecsOverride === undefined ? 'Alibaba Cloud' : `the ECS endpoint ${ecsOverride.protocol}://${ecsOverride.endpoint}`,
      huaweiOverride === undefined ? 'Huawei Cloud' : `the IMS endpoint ${huaweiOverride}`,
    ];
    return {
      description: `${where.join(' and ')} (credentials from the environment)`,
      kind: ecsOverride === undefined && huaweiOverride === undefined ? 'cloud' : 'endpoint-override',
      providers,
      clock: systemClock,
      alibaba: { credentials: alibabaDefault, endpoint: ecsOverride },
      secrets: [...secretsOf(alibabaDefault, env), ...secretsOf(DEFAULT_CREDENTIAL_CHAIN, env), env.HUAWEICLOUD_SDK_SK ?? '', env.HUAWEICLOUD_SDK_SECURITY_TOKEN ?? ''].filter((s) => s !== ''),
      close: async () => undefined,
    };
  }

  const seed = await loadSeedFile(options.seed === undefined ? packagePath(DEMO_SEED) : resolve(options.seed));
  const simulator = await createEcsSimulator({
    seed: options.speed === undefined ? seed : { ...seed, speed: options.speed },
    stateFile: options.stateDir === undefined ? undefined : join(options.stateDir, SIM_WORLD_FILE),
  });
  const huaweiSeed = await loadImsSeedFile(options.huaweiSeed === undefined ? packagePath(HUAWEI_DEMO_SEED) : resolve(options.huaweiSeed));
  // One virtual clock for both clouds: the run's timeline is the same wherever a copy happens.
  const huaweiSimulator = await createImsSimulator({
    seed: options.speed === undefined ? huaweiSeed : { ...huaweiSeed, speed: options.speed },
    clock: simulator.clock,
    stateFile: options.stateDir === undefined ? undefined : join(options.stateDir, IMS_SIM_WORLD_FILE),
  });
  const alibaba = seed.credentials[0];
  const huawei = huaweiSeed.credentials[0];
  if (alibaba === undefined || huawei === undefined) throw new Error('the simulator seeds define no credentials');
  const huaweiDefault = { accessKeyId: huawei.accessKeyId, accessKeySecret: huawei.accessKeySecret };
  const alibabaDefault = explicitCredentials({ accessKeyId: alibaba.accessKeyId, accessKeySecret: alibaba.accessKeySecret });
  const ecsEndpoint = { endpoint: simulator.endpoint, protocol: 'http' } as const;
  const providers = createProviders({
    env: {},
    config: { ...config, huaweiProjects: { ...huaweiSimulator.projectIds, ...config.huaweiProjects } },
    alibabaDefault,
    ecsEndpoint,
    huaweiDefault,
    huaweiEndpointTemplate: huaweiSimulator.endpointTemplate,
    wallClock: systemClock,
  });
  return {
    description: `the embedded simulators (ECS at ${simulator.url}, IMS at ${huaweiSimulator.url}; ${options.speed ?? seed.speed}x time)`,
    kind: 'embedded-simulator',
    providers,
    clock: simulator.clock,
    simulator,
    huaweiSimulator,
    alibaba: { credentials: alibabaDefault, endpoint: ecsEndpoint },
    secrets: [alibaba.accessKeySecret, ...providerSecrets({ huaweiDefault })],
    close: async () => {
      await huaweiSimulator.close();
      await simulator.close();
    },
  };
};
