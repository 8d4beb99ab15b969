import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../runtime/local-runtime';
import { parsePolicyConfig } from '../../shared/core/config/load-policy-config';
import { systemClock } from '../../shared/core/domain/clock';
import { JobStatus } from '../../shared/core/domain/job';
import { createProviders } from '../../shared/platform/providers';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { PROVIDER_RULES } from '../../shared/providers/catalog';
import { createEcsSimulator, type EcsSimulator } from '../../sim/ecs-simulator';
import { type ImsSimulator, createImsSimulator } from '../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../sim/sim-clock';

const ACCESS_KEY = { accessKeyId: 'LTAI-retention', accessKeySecret: 'retention-secret-value-xyz' };
const SHANGHAI = 'cn-shanghai';
const BEIJING = 'cn-beijing';
const POLICY = `
version: 1
policies:
  - name: web
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: ${SHANGHAI}, copyFamily: true }, { region: ${BEIJING}, copyFamily: true }]
    retention: { keepNewest: 2, groupBy: family }
`;
/** Every ECS and Auto Scaling action, retention's included, meets these (an answer held forever is left out: it only waits out a timeout). */
const FAULTS = { throttle: 0.08, internalError: 0.05, serviceUnavailable: 0.05, lostAnswer: 0.05 };
/** Retention's own calls meet more: the in-use questions and the deletions. */
const RETENTION_FAULTS = { throttle: 0.15, internalError: 0.1, serviceUnavailable: 0.1, lostAnswer: 0.1 };
const RETENTION_ACTIONS = ['DescribeInstances', 'DescribeLaunchTemplates', 'DescribeLaunchTemplateVersions', 'DescribeScalingConfigurations', 'DeleteImage', 'DeleteSnapshot'];
const NIGHTS_WITH_FAULTS = 7;
const CLEAN_NIGHTS = 2;

interface World {
  readonly clock: ManualSimClock;
  readonly sim: EcsSimulator;
  readonly runtime: LocalRuntime;
  readonly stateDir: string;
}
const worlds: World[] = [];

const start = async (randomSeed: number): Promise<World> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const sim = await createEcsSimulator({
    clock,
    seed: { credentials: [ACCESS_KEY], randomSeed, regions: ['cn-hangzhou', SHANGHAI, BEIJING], copy: { bandwidthMiBps: 100, overheadSeconds: 60 }, quirks: { imageSnapshotsOnDelete: 'keep' } },
  });
  const config = parsePolicyConfig(POLICY, 'retention', PROVIDER_RULES);
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-retention-'));
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: new Map(),
    providers: createProviders({ env: {}, config, alibabaDefault: explicitCredentials(ACCESS_KEY), ecsEndpoint: { endpoint: sim.endpoint, protocol: 'http' }, ecsTuning: { retry: { backoffPeriod: 1, maxDelayMs: 5 } }, wallClock: systemClock }),
    transport: { post: async () => ({ ok: true, status: 204 }) },
    clock,
    logger: silentLogger,
    pause: async () => undefined,
  });
  const world = { clock, sim, runtime, stateDir };
  worlds.push(world);
  return world;
};

afterEach(async () => {
  for (const world of worlds.splice(0)) {
    world.runtime.close();
    await world.sim.close();
    rmSync(world.stateDir, { recursive: true, force: true });
  }
});

/** The night: the sweep (retention included), then a minute per step until the copies are done or the night is over. */
const night = async (world: Pick<World, 'runtime' | 'clock'>): Promise<void> => {
  await world.runtime.sweep().catch(() => undefined);
  for (let minute = 0; minute < 600; minute += 1) {
    await world.runtime.step();
    const snapshot = await world.runtime.snapshot();
    if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return;
    world.clock.advanceSeconds(60);
  }
};

const copyOf = async (world: Pick<World, 'runtime'>, version: number, region: string): Promise<string | undefined> =>
  (await world.runtime.jobs.list()).find((job) => job.source.imageName === `golden-web-v${version}` && job.destination.region === region)?.destinationImageId;

const live = (world: World, region: string): Set<string> => new Set(world.sim.inspect.images(region).map((image) => image.id));

describe('retention under ECS and Auto Scaling faults', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('never deletes a copy in use or one of the newest, and ends with exactly those (seed %i)', async (seed) => {
    // Prepare: a version of the family a day; an instance, a scaling configuration and a launch
    // template come to use three of the copies; every call meets faults for a week
    const world = await start(seed);
    world.sim.faults.configure({ actions: { '*': FAULTS, ...Object.fromEntries(RETENTION_ACTIONS.map((action) => [action, RETENTION_FAULTS])) } });
    const inUse: { region: string; version: number; id: string }[] = [];
    const broken: string[] = [];
    const refusedRetentionCalls = new Map<string, number>();
    /** Each copy's snapshots, as its image named them while it existed. */
    const snapshotsOf = new Map<string, string[]>();
    const uses = [
      { version: 2, region: SHANGHAI, begin: (id: string) => world.sim.inspect.addInstance({ region: SHANGHAI, imageId: id }) },
      { version: 3, region: BEIJING, begin: (id: string) => world.sim.inspect.addScalingConfiguration({ region: BEIJING, imageId: id }) },
      { version: 4, region: SHANGHAI, begin: (id: string) => world.sim.inspect.addLaunchTemplate({ region: SHANGHAI, versions: [undefined, id] }) },
    ];

    // Act
    for (let day = 1; day <= NIGHTS_WITH_FAULTS + CLEAN_NIGHTS; day += 1) {
      if (day === NIGHTS_WITH_FAULTS + 1) world.sim.faults.configure({ actions: {} });
      if (day <= NIGHTS_WITH_FAULTS) world.sim.inspect.addImage({ region: 'cn-hangzhou', name: `golden-web-v${day}`, sizeGiB: 20, imageFamily: 'golden-web', tags: { role: 'golden' } });
      await night(world);
      // Each use begins once its copy exists (faults may delay it a night or two).
      for (const pending of uses.filter((use) => use.version <= day && !inUse.some((marked) => marked.version === use.version))) {
        const id = await copyOf(world, pending.version, pending.region);
        if (id === undefined || !live(world, pending.region).has(id)) continue;
        pending.begin(id);
        inUse.push({ region: pending.region, version: pending.version, id });
      }
      for (const use of inUse) if (!live(world, use.region).has(use.id)) broken.push(`night ${day}: v${use.version} in ${use.region} deleted while in use`);
      for (const region of [SHANGHAI, BEIJING]) for (const image of world.sim.inspect.images(region)) snapshotsOf.set(image.id, image.disks.map((disk) => disk.snapshotId));
      for (const request of world.sim.requests.recent()) {
        if (RETENTION_ACTIONS.includes(request.action) && request.status >= 400) refusedRetentionCalls.set(request.action, (refusedRetentionCalls.get(request.action) ?? 0) + 1);
      }
      world.sim.requests.reset();
      world.clock.advanceSeconds(24 * 3600);
    }

    // Assess
    expect(broken).toEqual([]);
    // A use whose copy came too late (retention took it the night it appeared) is not begun: most are.
    expect(inUse.length).toBeGreaterThanOrEqual(2);
    const jobs = await world.runtime.jobs.list();
    for (const region of [SHANGHAI, BEIJING]) {
      const kept = new Set([6, 7, ...inUse.filter((use) => use.region === region).map((use) => use.version)]);
      const expected = await Promise.all([...kept].map((version) => copyOf(world, version, region)));
      expect([...live(world, region)].sort()).toEqual(expected.sort());
      const ofRegion = jobs.filter((job) => job.destination.region === region);
      expect(ofRegion.filter((job) => job.status === JobStatus.Pruned).map((job) => job.source.imageName).sort()).toEqual(
        [1, 2, 3, 4, 5].filter((version) => !kept.has(version)).map((version) => `golden-web-v${version}`),
      );
      expect(ofRegion.filter((job) => job.status === JobStatus.Available)).toHaveLength(kept.size);
    }
    // A deleted copy leaves no snapshot behind (DeleteImage keeps them; they are billed for good).
    const remaining = new Set(world.sim.inspect.snapshots().map((snapshot) => snapshot.id));
    const orphaned = jobs
      .filter((job) => job.status === JobStatus.Pruned)
      .flatMap((job) => (snapshotsOf.get(job.destinationImageId ?? '') ?? []).filter((id) => remaining.has(id)).map((id) => `${job.source.imageName} ${job.destination.region}: ${id}`));
    expect(orphaned).toEqual([]);
    // The faults met retention where it decides: its in-use questions and its deletions.
    expect([...refusedRetentionCalls.keys()].filter((action) => action.startsWith('Describe')).length).toBeGreaterThanOrEqual(3);
    expect([...refusedRetentionCalls.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  }, 120_000);
});

const HUAWEI_KEYS = { accessKeyId: 'HWRETAK000000000000001', accessKeySecret: 'hw-retention-secret-value' };
const NORTH = 'cn-north-4';
const EAST = 'cn-east-3';
const APAC = 'ap-southeast-1';
/** IMS, ECS and AS each meet these: ListImages, the members, the servers, the AS listing and the deletion included. */
const IMS_FAULTS = { throttle: 0.1, internalError: 0.08, serviceUnavailable: 0.05, lostAnswer: 0.05 };
const IMS_RETENTION_ACTIONS = ['GlanceListImageMembers', 'NovaListServers', 'ListScalingConfigs', 'GlanceDeleteImage'];

interface HuaweiWorld {
  readonly clock: ManualSimClock;
  readonly sim: ImsSimulator;
  readonly runtime: LocalRuntime;
  readonly stateDir: string;
}
const huaweiWorlds: HuaweiWorld[] = [];

const startHuawei = async (randomSeed: number): Promise<HuaweiWorld> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const sim = await createImsSimulator({
    clock,
    seed: { credentials: [HUAWEI_KEYS], randomSeed, regions: [NORTH, EAST, APAC], copy: { bandwidthMiBps: 100, overheadSeconds: 60, initSeconds: 30 }, agency: { name: 'ims_admin_agency' } },
  });
  const config = parsePolicyConfig(
    `
version: 1
policies:
  - name: web
    provider: huawei
    huawei: { agencyName: ims_admin_agency }
    source: { region: ${NORTH}, select: { tags: { role: golden } } }
    destinations: [{ region: ${EAST} }, { region: ${APAC} }]
    retention: { keepNewest: 2, groupBy: name-prefix, namePrefixes: [golden-web] }
huaweiProjects:
${Object.entries(sim.projectIds).map(([region, id]) => `  ${region}: ${id}`).join('\n')}
`,
    'retention-huawei',
    PROVIDER_RULES,
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'ir-retention-hw-'));
  const runtime = new LocalRuntime({
    stateDir,
    config,
    secrets: new Map(),
    providers: createProviders({
      env: {},
      config,
      alibabaDefault: explicitCredentials({ accessKeyId: 'LTAI-unused', accessKeySecret: 'unused' }),
      huaweiDefault: HUAWEI_KEYS,
      huaweiEndpointTemplate: sim.endpointTemplate,
      huaweiTuning: { retry: { pause: async () => undefined } },
      wallClock: systemClock,
    }),
    transport: { post: async () => ({ ok: true, status: 204 }) },
    clock,
    logger: silentLogger,
    pause: async () => undefined,
  });
  const world = { clock, sim, runtime, stateDir };
  huaweiWorlds.push(world);
  return world;
};

afterEach(async () => {
  for (const world of huaweiWorlds.splice(0)) {
    world.runtime.close();
    await world.sim.close();
    rmSync(world.stateDir, { recursive: true, force: true });
  }
});

const huaweiLive = (world: HuaweiWorld, region: string): Set<string> =>
  new Set(world.sim.inspect.images(region).filter((image) => image.status !== 'deleted').map((image) => image.id));

describe('retention under IMS, ECS and Auto Scaling faults (Huawei)', () => {
  it.each([1, 2, 3, 4, 5, 6])('never deletes a copy in use or one of the newest, and ends with exactly those (seed %i)', async (seed) => {
    // Prepare: a version a day; a server and two AS configurations (one by a data disk) come to
    // use three of the copies; every call meets faults for a week
    const world = await startHuawei(seed);
    world.sim.faults.configure({ actions: { '*': IMS_FAULTS } });
    const inUse: { region: string; version: number; id: string }[] = [];
    const broken: string[] = [];
    const refused = new Map<string, number>();
    const uses = [
      { version: 2, region: EAST, begin: (id: string) => world.sim.inspect.launchServer(EAST, id) },
      { version: 3, region: APAC, begin: (id: string) => world.sim.inspect.addScalingConfig(APAC, { imageRef: id }) },
      { version: 4, region: EAST, begin: (id: string) => world.sim.inspect.addScalingConfig(EAST, { dataDiskImageIds: [id] }) },
    ];

    // Act
    for (let day = 1; day <= NIGHTS_WITH_FAULTS + CLEAN_NIGHTS; day += 1) {
      if (day === NIGHTS_WITH_FAULTS + 1) world.sim.faults.configure({ actions: {} });
      if (day <= NIGHTS_WITH_FAULTS) world.sim.inspect.addImage({ region: NORTH, name: `golden-web-v${day}`, sizeGiB: 10, tags: { role: 'golden' } });
      await night(world);
      for (const pending of uses.filter((use) => use.version <= day && !inUse.some((marked) => marked.version === use.version))) {
        const id = await copyOf(world, pending.version, pending.region);
        if (id === undefined || !huaweiLive(world, pending.region).has(id)) continue;
        pending.begin(id);
        inUse.push({ region: pending.region, version: pending.version, id });
      }
      for (const use of inUse) if (!huaweiLive(world, use.region).has(use.id)) broken.push(`night ${day}: v${use.version} in ${use.region} deleted while in use`);
      for (const request of world.sim.requests.recent()) {
        if (IMS_RETENTION_ACTIONS.includes(request.action) && request.status >= 400) refused.set(request.action, (refused.get(request.action) ?? 0) + 1);
      }
      world.sim.requests.reset();
      world.clock.advanceSeconds(24 * 3600);
    }

    // Assess
    expect(broken).toEqual([]);
    expect(inUse.length).toBeGreaterThanOrEqual(2);
    const jobs = await world.runtime.jobs.list();
    for (const region of [EAST, APAC]) {
      const kept = new Set([6, 7, ...inUse.filter((use) => use.region === region).map((use) => use.version)]);
      const expected = await Promise.all([...kept].map((version) => copyOf(world, version, region)));
      expect([...huaweiLive(world, region)].sort()).toEqual(expected.sort());
      const ofRegion = jobs.filter((job) => job.destination.region === region);
      expect(ofRegion.filter((job) => job.status === JobStatus.Pruned).map((job) => job.source.imageName).sort()).toEqual(
        [1, 2, 3, 4, 5].filter((version) => !kept.has(version)).map((version) => `golden-web-v${version}`),
      );
    }
    expect([...refused.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  }, 120_000);
});

