import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/webhook-receiver';
import { LocalRuntime } from '../../runtime/local-runtime';
import { parsePolicyConfig, resolveWebhookSecrets } from '../../shared/core/config/load-policy-config';
import { addSeconds, type Clock, systemClock } from '../../shared/core/domain/clock';
import { ProviderId } from '../../shared/core/domain/provider';
import type { Dependencies } from '../../shared/platform/fc/dependencies';
import { createEcsExtras } from '../../shared/providers/alibaba-ecs/ecs-extras';
import { guardedWebhookTransport } from '../../shared/platform/http/webhook-transport';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { AlibabaEcsCopyProvider } from '../../shared/providers/alibaba-ecs/copy-provider';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import type { EcsImages } from '../../shared/providers/alibaba-ecs/ecs-images';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { HuaweiImsCopyProvider } from '../../shared/providers/huawei-ims/huawei-copy-provider';
import { createCopyProviders } from '../../shared/providers/registry';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import type { ActionFaultRates } from '../../sim/faults';
import { createImsSimulator, type ImsSimulator } from '../../sim/huawei/ims-simulator';
import { Prng } from '../../sim/prng';
import { ManualSimClock } from '../../sim/sim-clock';
import { type CloudView, ECS_GOLDEN, ECS_SOURCE, ecsCloud, IMS_GOLDEN, IMS_MAX_COPYABLE_GIB, IMS_SOURCE, imsCloud, type WorldImage } from './clouds';
import { CrashHarness } from './crash-harness';
import { type DeliveryFaultSettings, deliveryFaults, NO_DELIVERY_FAULTS } from './delivery-faults';
import { imsFetch } from './ims-fetch';
import { type PolicySettings, policyText, WEBHOOKS, type WebhookName } from './world-policy';

export { WEBHOOKS, type WebhookName } from './world-policy';

const ACCESS_KEY = { accessKeyId: 'LTAI-chaos', accessKeySecret: 'chaos-access-secret-value' };
const HW_KEY = { accessKeyId: 'HWCHAOSAK000000000001', accessKeySecret: 'hw-chaos-secret-value' };

/** API faults in the provider's own terms: `any` for every call, `copy` for the call that starts a copy. */
export interface ApiFaultRates {
  readonly any?: ActionFaultRates | undefined;
  readonly copy?: ActionFaultRates | undefined;
}

/**
 * How patient the clients are. `tight`: a withheld answer costs 150 ms (fault scenarios, where a
 * slow answer on a loaded machine is just one more fault). `lenient`: no answer is ever given up
 * on for lack of time, so a run takes the same path however loaded the machine is (crash menus
 * are replayed point by point).
 */
export type Patience = 'tight' | 'lenient';
const TIMEOUT_MS: Readonly<Record<Patience, number>> = { tight: 150, lenient: 10_000 };
export const CHAOS_RETRY = { maxAttempts: 2, backoffPeriod: 1, maxDelayMs: 5 } as const;

export interface WorldSpec extends PolicySettings {
  readonly seed: number;
  readonly images: readonly WorldImage[];
  readonly patience?: Patience | undefined;
  readonly copy?: { readonly bandwidthMiBps: number; readonly overheadSeconds: number } | undefined;
  readonly apiFaults?: ApiFaultRates | undefined;
  readonly delivery?: DeliveryFaultSettings | undefined;
  /** Seconds each invocation's clock is off by (two poll-status instances whose hosts disagree). */
  readonly clockSkew?: ((fn: string, ordinal: number) => number) | undefined;
  /** Alters the product's own port calls: how the suite proves it would catch a broken product. */
  readonly tamper?: ((dependencies: Dependencies) => Dependencies) | undefined;
  /** A deliberately broken ECS client under the Alibaba provider (the suite must catch what it breaks). */
  readonly tamperEcs?: ((images: EcsImages) => EcsImages) | undefined;
}

/**
 * One self-contained world for one scenario: both clouds' simulators on one manual clock, two
 * webhook receivers, and the local runtime running the real handlers over SQLite, with the crash
 * harness, the delivery faults and any clock skew wrapped around the handlers' ports.
 */
export interface World {
  readonly clock: ManualSimClock;
  readonly ecs: EcsSimulator;
  readonly ims: ImsSimulator;
  /** The cloud this scenario's policies copy on. */
  readonly cloud: CloudView;
  readonly receivers: Readonly<Record<WebhookName, WebhookReceiver>>;
  readonly runtime: LocalRuntime;
  readonly crash: CrashHarness;
  readonly delivery: ReturnType<typeof deliveryFaults>;
  /** Seeded randomness for the scenario script itself. */
  readonly random: Prng;
  /** Images somebody else placed in the destinations (never to be adopted, tagged or deleted). */
  readonly strangers: string[];
  close(): Promise<void>;
}

const copyRates = (cloudAction: string, rates: ApiFaultRates | undefined): Record<string, ActionFaultRates> => ({
  ...(rates?.any === undefined ? {} : { '*': rates.any }),
  ...(rates?.copy === undefined ? {} : { [cloudAction]: rates.copy }),
});

const seededImages = (spec: WorldSpec, provider: ProviderId): readonly WorldImage[] =>
  spec.provider === provider ? spec.images : [];

const startEcs = (spec: WorldSpec, clock: ManualSimClock): Promise<EcsSimulator> =>
  createEcsSimulator({
    clock,
    seed: {
      credentials: [ACCESS_KEY],
      regions: [ECS_SOURCE, ...ECS_GOLDEN],
      copy: { bandwidthMiBps: spec.copy?.bandwidthMiBps ?? 200, overheadSeconds: spec.copy?.overheadSeconds ?? 30 },
      randomSeed: spec.seed,
      images: seededImages(spec, ProviderId.Alibaba).map((image) => ({
        region: ECS_SOURCE,
        name: image.name,
        sizeGiB: image.sizeGiB,
        tags: { role: image.role },
        status: image.availableAtMinute === undefined ? 'Available' : 'Creating',
      })),
      faults: { actions: spec.provider === ProviderId.Alibaba ? copyRates('CopyImage', spec.apiFaults) : {}, copyFailureProbability: 0 },
    },
  });

const startIms = (spec: WorldSpec, clock: ManualSimClock): Promise<ImsSimulator> =>
  createImsSimulator({
    clock,
    seed: {
      credentials: [HW_KEY],
      regions: [IMS_SOURCE, ...IMS_GOLDEN],
      copy: { bandwidthMiBps: spec.copy?.bandwidthMiBps ?? 200, overheadSeconds: spec.copy?.overheadSeconds ?? 30, initSeconds: 30 },
      randomSeed: spec.seed,
      images: seededImages(spec, ProviderId.Huawei).map((image) => ({
        region: IMS_SOURCE,
        name: image.name,
        // The same role on IMS: its size caps are lower than ECS's, except for an image meant to be refused.
        sizeGiB: image.role === 'doomed' ? image.sizeGiB : Math.min(image.sizeGiB, IMS_MAX_COPYABLE_GIB),
        tags: { role: image.role },
        status: image.availableAtMinute === undefined ? 'active' : 'saving',
      })),
      faults: { actions: spec.provider === ProviderId.Huawei ? copyRates('CopyImageCrossRegion', spec.apiFaults) : {}, copyFailureProbability: 0 },
    },
  });

/** Each invocation sees its own clock, when the scenario skews them. */
const skewedClock = (base: Clock, crash: CrashHarness, skew: (fn: string, ordinal: number) => number): Clock => ({
  now: () => {
    const current = crash.current();
    return current === undefined ? base.now() : addSeconds(base.now(), skew(current.fn, current.ordinal));
  },
});

export const createWorld = async (spec: WorldSpec): Promise<World> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const [ecs, ims] = await Promise.all([startEcs(spec, clock), startIms(spec, clock)]);
  // Signatures carry real time whatever clock the workflow runs on: the receivers check their own.
  const receivers = {
    ops: await startWebhookReceiver({ secret: WEBHOOKS.ops }),
    audit: await startWebhookReceiver({ secret: WEBHOOKS.audit }),
  };
  const config = parsePolicyConfig(policyText(spec, { ops: receivers.ops.url, audit: receivers.audit.url }, ims.projectIds), `chaos-${spec.seed}`, PROVIDER_RULES);
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-chaos-'));
  const crash = new CrashHarness();
  const delivery = deliveryFaults(spec.delivery ?? NO_DELIVERY_FAULTS, new Prng(spec.seed * 7919 + 1));
  const timeoutMs = TIMEOUT_MS[spec.patience ?? 'tight'];
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: resolveWebhookSecrets(config, { OPS_SECRET: WEBHOOKS.ops, AUDIT_SECRET: WEBHOOKS.audit }),
    // The same factories as shared/platform/providers.ts, with the chaos suite's patience and, on
    // Huawei, the client's fetch wrapped so every HTTP call is a crash point too.
    providers: createCopyProviders({
      [ProviderId.Alibaba]: (account) => {
        const images = new AlibabaEcsImageCloud({
          credentials: explicitCredentials(ACCESS_KEY),
          endpoint: { endpoint: ecs.endpoint, protocol: 'http' },
          readTimeoutMs: timeoutMs,
          // On a reused keep-alive socket the SDK's HTTP client times a withheld answer out with the
          // connect timeout, not the read timeout (measured): both must be short.
          connectTimeoutMs: timeoutMs,
          retry: CHAOS_RETRY,
        });
        return new AlibabaEcsCopyProvider({ account, images: spec.tamperEcs?.(images) ?? images, extras: createEcsExtras(images) });
      },
      [ProviderId.Huawei]: (account) =>
        new HuaweiImsCopyProvider({
          account,
          credentials: HW_KEY,
          endpointTemplate: ims.endpointTemplate,
          projectIds: config.huaweiProjects,
          extraRegions: config.extraRegions,
          clock: systemClock,
          timeouts: { requestMs: timeoutMs },
          // The client's own retries, two tries as the ECS SDK gets here, without waiting: a turn is a virtual minute.
          retry: { attempts: CHAOS_RETRY.maxAttempts, pause: async () => undefined },
          fetch: imsFetch(crash),
        }),
    }),
    transport: guardedWebhookTransport,
    clock,
    logger: silentLogger,
    pause: async () => undefined,
    // The handlers see: crash points → platform faults → skewed clocks → the real ports.
    decorate: (deps) => {
      const tampered = spec.tamper?.(deps) ?? deps;
      const skewed = spec.clockSkew === undefined ? tampered : { ...tampered, clock: skewedClock(tampered.clock, crash, spec.clockSkew) };
      return crash.decorate(delivery.decorate(skewed));
    },
    invoke: crash.invoke,
  });
  return {
    clock,
    ecs,
    ims,
    cloud: spec.provider === ProviderId.Huawei ? imsCloud(ims) : ecsCloud(ecs),
    receivers,
    runtime,
    crash,
    delivery,
    random: new Prng(spec.seed * 104729 + 7),
    strangers: [],
    close: async () => {
      runtime.close();
      await Promise.all([receivers.ops.close(), receivers.audit.close(), ecs.close(), ims.close()]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
};
