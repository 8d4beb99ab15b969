import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { LocalRuntime } from '../../runtime/local-runtime';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsCopyProvider } from '../../shared/providers/alibaba-ecs/copy-provider';
import type { EcsImages } from '../../shared/providers/alibaba-ecs/ecs-images';
import { createEcsExtras } from '../../shared/providers/alibaba-ecs/ecs-extras';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { createCopyProviders } from '../../shared/providers/registry';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import { createEcsSimulator, type EcsSimulator, type FaultSettings } from '../../sim/ecs-simulator';
import { Prng } from '../../sim/prng';
import { ManualSimClock } from '../../sim/sim-clock';
import { CrashHarness } from './crash-harness';
import { type DeliveryFaultSettings, deliveryFaults, NO_DELIVERY_FAULTS } from './delivery-faults';

export const SOURCE_REGION = 'cn-hangzhou';
export const GOLDEN_DESTINATIONS = ['cn-shanghai', 'cn-beijing', 'eu-central-1'] as const;
export const BIG_DESTINATION = 'cn-shanghai';
const ACCESS_KEY = { accessKeyId: 'LTAI-chaos', accessKeySecret: 'chaos-access-secret-value' };
export const WEBHOOKS = { ops: 'chaos-ops-secret-0123456789', audit: 'chaos-audit-secret-9876543210' } as const;
export type WebhookName = keyof typeof WEBHOOKS;

/** `golden` images go to three regions and two webhooks; `big` ones to one region with a short timeout. */
export type ImageRole = 'golden' | 'big';

export interface WorldImage {
  readonly name: string;
  readonly sizeGiB: number;
  readonly role: ImageRole;
  /** Starts Creating (the product waits for it) and becomes Available at this virtual minute. */
  readonly availableAtMinute?: number | undefined;
}

export interface WorldSpec {
  readonly seed: number;
  readonly images: readonly WorldImage[];
  readonly maxAttempts?: number | undefined;
  readonly bigCopyTimeout?: string | undefined;
  readonly bigMaxAttempts?: number | undefined;
  readonly maxConcurrentCopiesPerRegion?: number | undefined;
  readonly copy?: { readonly bandwidthMiBps: number; readonly overheadSeconds: number } | undefined;
  readonly ecsFaults?: Partial<FaultSettings> | undefined;
  readonly delivery?: DeliveryFaultSettings | undefined;
  /** Alters the product's own port calls: how the suite proves it would catch a broken product. */
  readonly tamper?: ((dependencies: Dependencies) => Dependencies) | undefined;
  /** A deliberately broken ECS client under the Alibaba provider (the suite must catch what it breaks). */
  readonly tamperEcs?: ((images: EcsImages) => EcsImages) | undefined;
}

/** The client's own patience, shortened so a lost or withheld answer costs milliseconds, not seconds. */
export const CHAOS_READ_TIMEOUT_MS = 150;
const CHAOS_RETRY = { maxAttempts: 2, backoffPeriod: 1, maxDelayMs: 5 } as const;

const policyText = (spec: WorldSpec, urls: Record<WebhookName, string>): string => `
version: 1
maxConcurrentCopiesPerRegion: ${spec.maxConcurrentCopiesPerRegion ?? 2}
policies:
  - name: golden
    source: { region: ${SOURCE_REGION}, select: { tags: { role: golden } } }
    destinations:
      - region: cn-shanghai
      - region: cn-beijing
        encryption: { enabled: true, kmsKeyId: key-1 }
      - region: eu-central-1
    copyTimeout: 2h
    maxAttempts: ${spec.maxAttempts ?? 3}
    webhooks:
      - { name: ops, url: "${urls.ops}", secretEnv: OPS_SECRET, allowInsecureLoopback: true }
      - { name: audit, url: "${urls.audit}", secretEnv: AUDIT_SECRET, allowInsecureLoopback: true }
  - name: big
    source: { region: ${SOURCE_REGION}, select: { tags: { role: big } } }
    destinations:
      - region: ${BIG_DESTINATION}
        name: "{sourceName}-big"
    copyTimeout: ${spec.bigCopyTimeout ?? '10m'}
    maxAttempts: ${spec.bigMaxAttempts ?? 1}
    webhooks:
      - { name: ops, url: "${urls.ops}", secretEnv: OPS_SECRET, allowInsecureLoopback: true }
`;

/**
 * One self-contained world for one scenario: the ECS simulator on a manual clock, two webhook
 * receivers, and the local runtime running the real handlers over SQLite, with the crash harness
 * and the delivery faults wrapped around the handlers' ports.
 */
export interface World {
  readonly clock: ManualSimClock;
  readonly simulator: EcsSimulator;
  readonly receivers: Readonly<Record<WebhookName, WebhookReceiver>>;
  readonly runtime: LocalRuntime;
  readonly crash: CrashHarness;
  readonly delivery: ReturnType<typeof deliveryFaults>;
  /** Seeded randomness for the scenario script itself. */
  readonly random: Prng;
  /** Source image id by name. */
  imageId(name: string): string;
  close(): Promise<void>;
}

export const createWorld = async (spec: WorldSpec): Promise<World> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const simulator = await createEcsSimulator({
    clock,
    seed: {
      credentials: [ACCESS_KEY],
      regions: [SOURCE_REGION, ...GOLDEN_DESTINATIONS],
      copy: { bandwidthMiBps: spec.copy?.bandwidthMiBps ?? 200, overheadSeconds: spec.copy?.overheadSeconds ?? 30 },
      randomSeed: spec.seed,
      images: spec.images.map((image) => ({
        region: SOURCE_REGION,
        name: image.name,
        sizeGiB: image.sizeGiB,
        tags: { role: image.role },
        status: image.availableAtMinute === undefined ? 'Available' : 'Creating',
      })),
      faults: {
        actions: spec.ecsFaults?.actions ?? {},
        copyFailureProbability: spec.ecsFaults?.copyFailureProbability ?? 0,
        throttleRetryAfterMs: spec.ecsFaults?.throttleRetryAfterMs,
      },
    },
  });
  // Signatures carry real time whatever clock the workflow runs on: the receivers check their own.
  const receivers = {
    ops: await startWebhookReceiver({ secret: WEBHOOKS.ops }),
    audit: await startWebhookReceiver({ secret: WEBHOOKS.audit }),
  };
  const config = parsePolicyConfig(policyText(spec, { ops: receivers.ops.url, audit: receivers.audit.url }), `chaos-${spec.seed}`);
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-chaos-'));
  const crash = new CrashHarness();
  const delivery = deliveryFaults(spec.delivery ?? NO_DELIVERY_FAULTS, new Prng(spec.seed * 7919 + 1));
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: resolveWebhookSecrets(config, { OPS_SECRET: WEBHOOKS.ops, AUDIT_SECRET: WEBHOOKS.audit }),
    providers: createCopyProviders({
      alibaba: (account) => {
        const images = new AlibabaEcsImageCloud({
          credentials: explicitCredentials(ACCESS_KEY),
          endpoint: { endpoint: simulator.endpoint, protocol: 'http' },
          readTimeoutMs: CHAOS_READ_TIMEOUT_MS,
          // On a reused keep-alive socket the SDK's HTTP client times a withheld answer out with the
          // connect timeout, not the read timeout (measured): both must be short.
          connectTimeoutMs: CHAOS_READ_TIMEOUT_MS,
          retry: CHAOS_RETRY,
        });
        return new AlibabaEcsCopyProvider({ account, images: spec.tamperEcs?.(images) ?? images, extras: createEcsExtras(images) });
      },
    }),
    transport: guardedWebhookTransport,
    clock,
    logger: silentLogger,
    pause: async () => undefined,
    // The handlers see: crash points → platform faults → the real ports.
    decorate: (deps) => crash.decorate(delivery.decorate(spec.tamper?.(deps) ?? deps)),
    invoke: crash.invoke,
  });
  const ids = new Map(simulator.inspect.images(SOURCE_REGION).map((image) => [image.name, image.id]));
  return {
    clock,
    simulator,
    receivers,
    runtime,
    crash,
    delivery,
    random: new Prng(spec.seed * 104729 + 7),
    imageId: (name) => {
      const id = ids.get(name);
      if (id === undefined) throw new Error(`no seeded image named ${name}`);
      return id;
    },
    close: async () => {
      runtime.close();
      await Promise.all([receivers.ops.close(), receivers.audit.close(), simulator.close()]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
};
