import { DEFAULT_CREDENTIAL_CHAIN, explicitCredentials, secretsOf } from '../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud, ecsEndpointFromEnv } from '../shared/providers/alibaba-ecs/image-cloud';
import { type Clock, systemClock } from '../shared/core/domain/clock';
import type { ImageCloud } from '../shared/core/ports/image-cloud';
import { createEcsSimulator, type EcsSimulator } from '../sim/ecs-simulator';
import { loadSeedFile } from '../sim/seed';

export const DEMO_SEED = 'sim/seeds/demo.yaml';

export interface Target {
  /** What the user is told: where the copies happen. */
  readonly description: string;
  readonly kind: 'embedded-simulator' | 'endpoint-override' | 'alibaba-cloud';
  readonly images: ImageCloud;
  readonly clock: Clock;
  /** Present when the simulator runs in this process. */
  readonly simulator?: EcsSimulator | undefined;
  /** Values never to print. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

/**
 * Where `run` copies images: an explicit endpoint override wins (a standalone simulator, a private
 * endpoint); otherwise real Alibaba Cloud when credentials are in the environment; otherwise the
 * embedded simulator, seeded from a file.
 */
export const selectTarget = async (env: NodeJS.ProcessEnv, options: { seed?: string | undefined; speed?: number | undefined } = {}): Promise<Target> => {
  const override = ecsEndpointFromEnv(env);
  const fromEnvironment = override !== undefined || (env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '') !== '';
  if (fromEnvironment) {
    return {
      description:
        override === undefined
          ? 'Alibaba Cloud (credentials from the environment)'
          : `ECS endpoint ${override.protocol}://${override.endpoint} (IMAGE_REPLICATOR_ECS_ENDPOINT)`,
      kind: override === undefined ? 'alibaba-cloud' : 'endpoint-override',
      images: new AlibabaEcsImageCloud({ credentials: DEFAULT_CREDENTIAL_CHAIN, endpoint: override }),
      clock: systemClock,
      secrets: secretsOf(DEFAULT_CREDENTIAL_CHAIN, env),
      close: async () => undefined,
    };
  }
  const seed = await loadSeedFile(options.seed ?? DEMO_SEED);
  const simulator = await createEcsSimulator({ seed: options.speed === undefined ? seed : { ...seed, speed: options.speed } });
  const credentials = seed.credentials[0];
  if (credentials === undefined) throw new Error(`${options.seed ?? DEMO_SEED} defines no credentials`);
  return {
    description: `the embedded ECS simulator at ${simulator.url} (${options.speed ?? seed.speed}x time)`,
    kind: 'embedded-simulator',
    images: new AlibabaEcsImageCloud({
      credentials: explicitCredentials({ accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret }),
      endpoint: { endpoint: simulator.endpoint, protocol: 'http' },
    }),
    clock: simulator.clock,
    simulator,
    secrets: [credentials.accessKeySecret],
    close: () => simulator.close(),
  };
};
