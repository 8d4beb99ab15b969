import { afterEach, describe, expect, it } from 'vitest';
import { JobStatus } from '../../shared/core/domain/job';
import type { SimSeedInput } from '../../sim/ecs-simulator';
import { closeRuntimeWorlds, type EcsRuntimeWorld, startEcsRuntime } from './runtime-world';

const PARTNERS = ['1000000000000002', '1000000000000003'];

type World = EcsRuntimeWorld;

// The documented ECS: DeleteImage leaves the image's snapshots, which the product deletes itself.
const start = (seed: SimSeedInput, policy: string): Promise<World> =>
  startEcsRuntime({ seed: { regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'eu-central-1'], otherAccounts: PARTNERS, quirks: { imageSnapshotsOnDelete: 'keep' }, ...seed }, policy });

afterEach(closeRuntimeWorlds);

/** A minute per step, as the poll timer sees it, until nothing is left to do. */
const runToIdle = async (world: World, maxSteps = 2_000): Promise<void> => {
  for (let step = 0; step < maxSteps; step += 1) {
    await world.runtime.step();
    const snapshot = await world.runtime.snapshot();
    if (snapshot.inFlightJobs === 0 && snapshot.queued.startCopy === 0 && snapshot.queued.notify === 0) return;
    world.clock.advanceSeconds(60);
  }
  throw new Error('the workflow did not settle');
};

describe('policy features end to end on the ECS simulator', () => {
  it('copies an image over 2 TiB through its snapshots, keeping platform, architecture and boot mode, once per region', async () => {
    // Prepare
    const world = await start(
      {
        copy: { bandwidthMiBps: 400, overheadSeconds: 60 },
        imageCreation: { durationSeconds: 120 },
        images: [
          {
            region: 'cn-hangzhou',
            name: 'golden-lake',
            platform: 'Ubuntu',
            architecture: 'arm64',
            bootMode: 'UEFI',
            tags: { role: 'golden' },
            disks: [
              { type: 'system', sizeGiB: 100 },
              { type: 'data', sizeGiB: 1000 },
              { type: 'data', sizeGiB: 1000 },
            ],
          },
        ],
      },
      `
version: 1
policies:
  - name: lake
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }, { region: eu-central-1 }]
    copyTimeout: 2d
`,
    );
    // Act
    await world.runtime.sweep();
    await runToIdle(world);
    // Assess
    const jobs = await world.runtime.jobs.list();
    expect(jobs.map((job) => [job.status, job.route])).toEqual(Array.from({ length: 3 }, () => [JobStatus.Available, 'snapshots']));
    for (const region of ['cn-shanghai', 'cn-beijing', 'eu-central-1']) {
      const made = world.sim.inspect.created('image', { region, origin: 'CreateImage' });
      expect(made).toHaveLength(1);
      const image = world.sim.inspect.images(region).find((i) => i.id === made[0]?.id);
      expect([image?.platform, image?.architecture, image?.bootMode, image?.sizeGiB]).toEqual(['Ubuntu', 'arm64', 'UEFI', 2100]);
      expect(world.sim.inspect.created('snapshot', { region, origin: 'CopySnapshot' })).toHaveLength(3);
    }
    const calls = world.sim.requests.counts();
    expect([calls.CopyImage ?? 0, calls.CopySnapshot, calls.CreateImage]).toEqual([0, 9, 3]);
  });

  it('shares each copy with the accounts a destination names, and the source in place', async () => {
    // Prepare
    const world = await start(
      { images: [{ region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 20, tags: { role: 'golden' } }] },
      `
version: 1
policies:
  - name: web
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    shareInSourceRegion: ["${PARTNERS[1]}"]
    destinations:
      - { region: cn-shanghai, shareWith: [${PARTNERS.map((p) => `"${p}"`).join(', ')}] }
      - { region: cn-beijing }
`,
    );
    // Act
    await world.runtime.sweep();
    await runToIdle(world);
    // Assess
    const jobs = await world.runtime.jobs.list();
    expect(jobs.every((job) => job.status === JobStatus.Available)).toBe(true);
    const shanghai = jobs.find((job) => job.destination.region === 'cn-shanghai')!;
    const beijing = jobs.find((job) => job.destination.region === 'cn-beijing')!;
    const source = world.sim.inspect.images('cn-hangzhou').find((image) => image.name === 'golden-web')!;
    expect(shanghai.sharedWith).toEqual(PARTNERS);
    expect(world.sim.inspect.shares(shanghai.destinationImageId!).map((s) => s.accountId)).toEqual(PARTNERS);
    expect(world.sim.inspect.shares(beijing.destinationImageId!)).toEqual([]);
    expect(world.sim.inspect.shares(source.id).map((s) => s.accountId)).toEqual([PARTNERS[1]]);
  });

  it('keeps the newest copies of a family over a week of nightly runs, never one in use or launched by a template or scaling, images before their snapshots', async () => {
    // Prepare: a new version of the family is baked every day
    const world = await start(
      { copy: { bandwidthMiBps: 100, overheadSeconds: 60 }, images: [] },
      `
version: 1
policies:
  - name: web
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai, copyFamily: true }]
    retention: { keepNewest: 2, groupBy: family }
`,
    );
    const copiesOf = new Map<number, string>();
    const snapshotsOf = new Map<string, string[]>();
    // Act: seven versions, then a night with none (retention counts only copies already available)
    for (let day = 1; day <= 8; day += 1) {
      if (day <= 7) world.sim.inspect.addImage({ region: 'cn-hangzhou', name: `golden-web-v${day}`, sizeGiB: 20, imageFamily: 'golden-web', tags: { role: 'golden' } });
      await world.runtime.sweep();
      await runToIdle(world);
      const job = (await world.runtime.jobs.list()).find((j) => j.source.imageName === `golden-web-v${day}`);
      if (job?.destinationImageId !== undefined) copiesOf.set(day, job.destinationImageId);
      for (const image of world.sim.inspect.images('cn-shanghai')) snapshotsOf.set(image.id, image.disks.map((disk) => disk.snapshotId));
      // Somebody runs an instance from the day-2 copy, a scaling configuration launches the day-3
      // one and a launch template's second version the day-4 one: none may be deleted.
      if (day === 2) world.sim.inspect.addInstance({ region: 'cn-shanghai', imageId: copiesOf.get(2)! });
      if (day === 3) world.sim.inspect.addScalingConfiguration({ region: 'cn-shanghai', imageId: copiesOf.get(3)!, groupId: 'asg-web' });
      if (day === 4) world.sim.inspect.addLaunchTemplate({ region: 'cn-shanghai', name: 'web', versions: [undefined, copiesOf.get(4)!] });
      world.clock.advanceSeconds(24 * 3600);
    }
    // Assess
    const live = world.sim.inspect.images('cn-shanghai').map((image) => image.id).sort();
    expect(live).toEqual([2, 3, 4, 6, 7].map((day) => copiesOf.get(day)).sort());
    const jobs = await world.runtime.jobs.list();
    expect(jobs.filter((job) => job.status === JobStatus.Pruned).map((job) => job.source.imageName).sort()).toEqual(['golden-web-v1', 'golden-web-v5']);
    expect(jobs.filter((job) => job.status === JobStatus.Available).map((job) => job.source.imageName).sort()).toEqual(['golden-web-v2', 'golden-web-v3', 'golden-web-v4', 'golden-web-v6', 'golden-web-v7']);
    const keptWhy = (day: number) => jobs.find((job) => job.source.imageName === `golden-web-v${day}`)?.lastError;
    expect(keptWhy(2)).toMatchObject({ code: 'CopyInUse', message: 'in use by 1 instance; it is kept' });
    expect(keptWhy(3)).toMatchObject({ code: 'CopyInUse', message: expect.stringMatching(/^in use by scaling configuration "asc-\w+" of group "asg-web"; it is kept$/) });
    expect(keptWhy(4)).toMatchObject({ code: 'CopyInUse', message: expect.stringMatching(/^in use by launch template "lt-\w+" \(version 2\); it is kept$/) });
    const snapshots = new Map(world.sim.inspect.created('snapshot', { region: 'cn-shanghai' }).map((record) => [record.id, record]));
    const deletedImages = world.sim.inspect.created('image', { region: 'cn-shanghai' }).filter((record) => record.deletedAt !== undefined);
    expect(deletedImages).toHaveLength(2);
    for (const image of deletedImages) {
      const own = (snapshotsOf.get(image.id) ?? []).map((id) => snapshots.get(id));
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((snapshot) => snapshot?.deletedAt !== undefined && snapshot.deletedAt >= image.deletedAt!)).toBe(true);
    }
  });

  it('deletes a copy whose snapshot somebody made a disk from, leaves that snapshot (unforced), and ends the job pruned saying what is still billed', async () => {
    // Prepare: two versions with a system and a data disk; somebody makes a disk from the old copy's data snapshot
    const world = await start(
      { copy: { bandwidthMiBps: 100, overheadSeconds: 60 }, images: [] },
      `
version: 1
policies:
  - name: web
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }]
    retention: { keepNewest: 1, groupBy: family }
    webhooks:
      - { name: ops, url: http://127.0.0.1:9/hooks, allowInsecureLoopback: true, secretEnv: E2E_WEBHOOK_SECRET }
`,
    );
    const version = (day: number) =>
      world.sim.inspect.addImage({
        region: 'cn-hangzhou',
        name: `golden-web-v${day}`,
        sizeGiB: 60,
        imageFamily: 'golden-web',
        tags: { role: 'golden' },
        disks: [
          { type: 'system', sizeGiB: 40 },
          { type: 'data', sizeGiB: 20 },
        ],
      });
    version(1);
    await world.runtime.sweep();
    await runToIdle(world);
    const old = (await world.runtime.jobs.list())[0];
    const copy = world.sim.inspect.images('cn-shanghai').find((image) => image.id === old?.destinationImageId);
    const [systemSnapshot, dataSnapshot] = copy?.disks.map((disk) => disk.snapshotId) ?? [];
    world.sim.inspect.addDiskFromSnapshot(dataSnapshot ?? '');
    world.clock.advanceSeconds(24 * 3600);
    version(2);

    // Act: the new version is copied; the next night's retention deletes the old copy
    await world.runtime.sweep();
    await runToIdle(world);
    world.clock.advanceSeconds(24 * 3600);
    await world.runtime.sweep();
    await runToIdle(world);

    // Assess
    const job = await world.runtime.jobs.get(old?.id ?? '');
    const live = new Set(world.sim.inspect.snapshots('cn-shanghai').map((snapshot) => snapshot.id));
    const refusal = world.sim.requests.recent('DeleteSnapshot').find((request) => request.params.SnapshotId === dataSnapshot);
    const pruned = world.posts.map((post) => JSON.parse(post.body) as { type: string; jobId: string; destination: { leftBehind?: unknown } }).find((body) => body.type === 'replication.pruned');
    expect(world.sim.inspect.images('cn-shanghai').map((image) => image.id)).not.toContain(copy?.id);
    expect([live.has(systemSnapshot ?? ''), live.has(dataSnapshot ?? '')]).toEqual([false, true]);
    expect(refusal).toMatchObject({ code: 'SnapshotCreatedDisk' });
    expect(refusal?.params.Force).toBeUndefined();
    expect(job).toMatchObject({ status: JobStatus.Pruned, leftBehind: [{ id: dataSnapshot, why: expect.stringMatching(/: SnapshotCreatedDisk: /) }] });
    expect(pruned).toMatchObject({ jobId: old?.id, destination: { leftBehind: [{ id: dataSnapshot, why: expect.stringMatching(/: SnapshotCreatedDisk: /) }] } });
  });
});
