import { afterEach, describe, expect, it } from 'vitest';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { type ImsSimulator, createImsSimulator } from '../../sim/huawei/ims-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { closeRuntimeWorlds, type EcsRuntimeWorld, type RuntimeWorld, runtimeOver, startEcsRuntime } from './runtime-world';

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

type World = EcsRuntimeWorld;

const start = (randomSeed: number): Promise<World> =>
  startEcsRuntime({
    seed: { randomSeed, regions: ['cn-hangzhou', SHANGHAI, BEIJING], copy: { bandwidthMiBps: 100, overheadSeconds: 60 }, quirks: { imageSnapshotsOnDelete: 'keep' } },
    policy: POLICY,
    ecsTuning: { retry: { backoffPeriod: 1, maxDelayMs: 5 } },
  });

afterEach(closeRuntimeWorlds);

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

interface Use {
  readonly version: number;
  readonly region: string;
  readonly begin: (copyId: string) => void;
}

interface WeekSpec {
  readonly world: Pick<World, 'runtime' | 'clock'>;
  readonly regions: readonly string[];
  addVersion(day: number): void;
  /** The copies that exist in a region. */
  live(region: string): Set<string>;
  readonly uses: readonly Use[];
  stopFaults(): void;
  readonly requests: { recent(): readonly { readonly action: string; readonly status: number }[]; reset(): void };
  /** Retention's own calls: their refusals are counted. */
  readonly retentionActions: readonly string[];
  /** Called after each night, before the clock moves on. */
  afterNight?(): void;
}

interface Week {
  readonly inUse: { readonly region: string; readonly version: number; readonly id: string }[];
  /** What retention broke, night by night: a copy in use deleted. */
  readonly broken: string[];
  readonly refused: Map<string, number>;
}

/** A week of nights under faults, then clean ones: a version a day, each use begun once its copy exists (faults may delay it). */
const runWeek = async (spec: WeekSpec): Promise<Week> => {
  const week: Week = { inUse: [], broken: [], refused: new Map() };
  for (let day = 1; day <= NIGHTS_WITH_FAULTS + CLEAN_NIGHTS; day += 1) {
    if (day === NIGHTS_WITH_FAULTS + 1) spec.stopFaults();
    if (day <= NIGHTS_WITH_FAULTS) spec.addVersion(day);
    await night(spec.world);
    for (const pending of spec.uses.filter((use) => use.version <= day && !week.inUse.some((marked) => marked.version === use.version))) {
      const id = await copyOf(spec.world, pending.version, pending.region);
      if (id === undefined || !spec.live(pending.region).has(id)) continue;
      pending.begin(id);
      week.inUse.push({ region: pending.region, version: pending.version, id });
    }
    for (const use of week.inUse) if (!spec.live(use.region).has(use.id)) week.broken.push(`night ${day}: v${use.version} in ${use.region} deleted while in use`);
    spec.afterNight?.();
    for (const request of spec.requests.recent()) {
      if (spec.retentionActions.includes(request.action) && request.status >= 400) week.refused.set(request.action, (week.refused.get(request.action) ?? 0) + 1);
    }
    spec.requests.reset();
    spec.world.clock.advanceSeconds(24 * 3600);
  }
  return week;
};

/** Nothing in use was deleted, most uses began, and each region holds exactly versions 6 and 7 and the copies in use; every other copy's job is pruned. */
const expectEndState = async (spec: WeekSpec, week: Week): Promise<Job[]> => {
  expect(week.broken).toEqual([]);
  // A use whose copy came too late (retention took it the night it appeared) is not begun: most are.
  expect(week.inUse.length).toBeGreaterThanOrEqual(2);
  const jobs = await spec.world.runtime.jobs.list();
  for (const region of spec.regions) {
    const kept = new Set([6, 7, ...week.inUse.filter((use) => use.region === region).map((use) => use.version)]);
    const expected = await Promise.all([...kept].map((version) => copyOf(spec.world, version, region)));
    expect([...spec.live(region)].sort()).toEqual(expected.sort());
    const ofRegion = jobs.filter((job) => job.destination.region === region);
    expect(ofRegion.filter((job) => job.status === JobStatus.Pruned).map((job) => job.source.imageName).sort()).toEqual(
      [1, 2, 3, 4, 5].filter((version) => !kept.has(version)).map((version) => `golden-web-v${version}`),
    );
    expect(ofRegion.filter((job) => job.status === JobStatus.Available)).toHaveLength(kept.size);
  }
  // The faults met retention where it decides: its in-use questions and its deletions.
  expect([...week.refused.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  return jobs;
};

describe('retention under ECS and Auto Scaling faults', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('never deletes a copy in use or one of the newest, and ends with exactly those (seed %i)', async (seed) => {
    // Prepare: a version of the family a day; an instance, a scaling configuration and a launch
    // template come to use three of the copies; every call meets faults for a week
    const world = await start(seed);
    world.sim.faults.configure({ actions: { '*': FAULTS, ...Object.fromEntries(RETENTION_ACTIONS.map((action) => [action, RETENTION_FAULTS])) } });
    /** Each copy's snapshots, as its image named them while it existed. */
    const snapshotsOf = new Map<string, string[]>();
    const spec: WeekSpec = {
      world,
      regions: [SHANGHAI, BEIJING],
      addVersion: (day) => world.sim.inspect.addImage({ region: 'cn-hangzhou', name: `golden-web-v${day}`, sizeGiB: 20, imageFamily: 'golden-web', tags: { role: 'golden' } }),
      live: (region) => live(world, region),
      uses: [
        { version: 2, region: SHANGHAI, begin: (id) => world.sim.inspect.addInstance({ region: SHANGHAI, imageId: id }) },
        { version: 3, region: BEIJING, begin: (id) => world.sim.inspect.addScalingConfiguration({ region: BEIJING, imageId: id }) },
        { version: 4, region: SHANGHAI, begin: (id) => world.sim.inspect.addLaunchTemplate({ region: SHANGHAI, versions: [undefined, id] }) },
      ],
      stopFaults: () => world.sim.faults.configure({ actions: {} }),
      requests: world.sim.requests,
      retentionActions: RETENTION_ACTIONS,
      afterNight: () => {
        for (const region of [SHANGHAI, BEIJING]) for (const image of world.sim.inspect.images(region)) snapshotsOf.set(image.id, image.disks.map((disk) => disk.snapshotId));
      },
    };

    // Act
    const week = await runWeek(spec);

    // Assess
    const jobs = await expectEndState(spec, week);
    expect([...week.refused.keys()].filter((action) => action.startsWith('Describe')).length).toBeGreaterThanOrEqual(3);
    // A deleted copy leaves no snapshot behind (DeleteImage keeps them; they are billed for good).
    const remaining = new Set(world.sim.inspect.snapshots().map((snapshot) => snapshot.id));
    const orphaned = jobs
      .filter((job) => job.status === JobStatus.Pruned)
      .flatMap((job) => (snapshotsOf.get(job.destinationImageId ?? '') ?? []).filter((id) => remaining.has(id)).map((id) => `${job.source.imageName} ${job.destination.region}: ${id}`));
    expect(orphaned).toEqual([]);
  }, 120_000);
});

const HUAWEI_KEYS = { accessKeyId: 'HWRETAK000000000000001', accessKeySecret: 'hw-retention-secret-value' };
const NORTH = 'cn-north-4';
const EAST = 'cn-east-3';
const APAC = 'ap-southeast-1';
/** IMS, ECS and AS each meet these: ListImages, the members, the servers, the AS listing and the deletion included. */
const IMS_FAULTS = { throttle: 0.1, internalError: 0.08, serviceUnavailable: 0.05, lostAnswer: 0.05 };
const IMS_RETENTION_ACTIONS = ['GlanceListImageMembers', 'NovaListServers', 'ListScalingConfigs', 'GlanceDeleteImage'];

type HuaweiWorld = RuntimeWorld<ImsSimulator>;

const startHuawei = async (randomSeed: number): Promise<HuaweiWorld> => {
  const clock = new ManualSimClock('2026-11-01T00:00:00Z');
  const sim = await createImsSimulator({
    clock,
    seed: { credentials: [HUAWEI_KEYS], randomSeed, regions: [NORTH, EAST, APAC], copy: { bandwidthMiBps: 100, overheadSeconds: 60, initSeconds: 30 }, agency: { name: 'ims_admin_agency' } },
  });
  const policy = `
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
`;
  return runtimeOver(clock, sim, policy, {
    alibabaDefault: explicitCredentials({ accessKeyId: 'LTAI-unused', accessKeySecret: 'unused' }),
    huaweiDefault: HUAWEI_KEYS,
    huaweiEndpointTemplate: sim.endpointTemplate,
    huaweiTuning: { retry: { pause: async () => undefined } },
  });
};

const huaweiLive = (world: HuaweiWorld, region: string): Set<string> =>
  new Set(world.sim.inspect.images(region).filter((image) => image.status !== 'deleted').map((image) => image.id));

describe('retention under IMS, ECS and Auto Scaling faults (Huawei)', () => {
  it.each([1, 2, 3, 4, 5, 6])('never deletes a copy in use or one of the newest, and ends with exactly those (seed %i)', async (seed) => {
    // Prepare: a version a day; a server and two AS configurations (one by a data disk) come to
    // use three of the copies; every call meets faults for a week
    const world = await startHuawei(seed);
    world.sim.faults.configure({ actions: { '*': IMS_FAULTS } });
    const spec: WeekSpec = {
      world,
      regions: [EAST, APAC],
      addVersion: (day) => world.sim.inspect.addImage({ region: NORTH, name: `golden-web-v${day}`, sizeGiB: 10, tags: { role: 'golden' } }),
      live: (region) => huaweiLive(world, region),
      uses: [
        { version: 2, region: EAST, begin: (id) => world.sim.inspect.launchServer(EAST, id) },
        { version: 3, region: APAC, begin: (id) => world.sim.inspect.addScalingConfig(APAC, { imageRef: id }) },
        { version: 4, region: EAST, begin: (id) => world.sim.inspect.addScalingConfig(EAST, { dataDiskImageIds: [id] }) },
      ],
      stopFaults: () => world.sim.faults.configure({ actions: {} }),
      requests: world.sim.requests,
      retentionActions: IMS_RETENTION_ACTIONS,
    };

    // Act
    const week = await runWeek(spec);

    // Assess
    await expectEndState(spec, week);
  }, 120_000);
});

