import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../runtime/local-runtime';
import { resolveWebhookSecrets, parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import type { WebhookRequest } from '../../shared/core/ports/webhook-transport';
import { systemClock } from '../../shared/core/domain/clock';
import { type ProviderSettings, createProviders } from '../../shared/platform/providers';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import type { AlibabaEcsImageCloudOptions } from '../../shared/providers/alibaba-ecs/image-cloud';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { createEcsSimulator, type EcsSimulator, type SimSeedInput } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';

/**
 * The real handlers in the local runtime over a simulator, on one manual clock from 2026-11-01:
 * what the end-to-end policy tests drive. Webhooks are accepted, and what was posted is kept.
 */
export interface RuntimeWorld<Sim extends { close(): Promise<void> }> {
  readonly clock: ManualSimClock;
  readonly sim: Sim;
  readonly runtime: LocalRuntime;
  readonly stateDir: string;
  /** Every webhook request the runtime sent, in order. */
  readonly posts: WebhookRequest[];
}

/** The signing secret of every webhook the end-to-end policies name (`secretEnv: E2E_WEBHOOK_SECRET`). */
const E2E_WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
export type EcsRuntimeWorld = RuntimeWorld<EcsSimulator>;

export const ECS_ACCESS_KEY = { accessKeyId: 'LTAI-features', accessKeySecret: 'features-secret-value-xyz' };

const open: RuntimeWorld<{ close(): Promise<void> }>[] = [];

/** A runtime over a simulator already started on `clock`, with providers from `settings` (the policy's config is added). */
export const runtimeOver = <Sim extends { close(): Promise<void> }>(
  clock: ManualSimClock,
  sim: Sim,
  policy: string,
  settings: Omit<ProviderSettings, 'env' | 'config' | 'wallClock'>,
): RuntimeWorld<Sim> => {
  const config = parsePolicyConfig(policy, 'e2e', PROVIDER_RULES);
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-e2e-'));
  const posts: WebhookRequest[] = [];
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: resolveWebhookSecrets(config, { E2E_WEBHOOK_SECRET }),
    providers: createProviders({ env: {}, config, wallClock: systemClock, ...settings }),
    transport: {
      post: async (request) => {
        posts.push(request);
        return { ok: true, status: 204 };
      },
    },
    clock,
    logger: silentLogger,
    pause: async () => undefined,
  });
  const world = { clock, sim, runtime, stateDir, posts };
  open.push(world);
  return world;
};

export const startEcsRuntime = async (options: {
  readonly seed: SimSeedInput;
  readonly policy: string;
  readonly ecsTuning?: Pick<AlibabaEcsImageCloudOptions, 'retry'> | undefined;
}): Promise<EcsRuntimeWorld> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const sim = await createEcsSimulator({ clock, seed: { credentials: [ECS_ACCESS_KEY], ...options.seed } });
  return runtimeOver(clock, sim, options.policy, {
    alibabaDefault: explicitCredentials(ECS_ACCESS_KEY),
    ecsEndpoint: { endpoint: sim.endpoint, protocol: 'http' },
    ecsTuning: options.ecsTuning,
  });
};

/** Closes every world opened since the last call: for afterEach. */
export const closeRuntimeWorlds = async (): Promise<void> => {
  for (const world of open.splice(0)) {
    world.runtime.close();
    await world.sim.close();
    rmSync(world.stateDir, { recursive: true, force: true });
  }
};
