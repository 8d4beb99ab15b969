import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EcsSimulator, type SimSeedInput, createEcsSimulator } from '../../sim/ecs-simulator';
import { ManualSimClock } from '../../sim/sim-clock';
import { explicitCredentials } from '../../shared/providers/alibaba-ecs/credentials';
import { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { TEST_CREDENTIALS, flatList, flatValues, items, rawCall, rejection } from './sim-test-kit';

const SEED: SimSeedInput = {
  credentials: [TEST_CREDENTIALS],
  regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
  copy: { bandwidthMiBps: 10, overheadSeconds: 100 },
  imageCreation: { durationSeconds: 60 },
  images: [
    { region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 10, tags: { role: 'golden' } },
    { region: 'cn-hangzhou', name: 'golden-api', sizeGiB: 10 },
  ],
  instances: [{ region: 'cn-hangzhou', image: 'golden-api', id: 'i-api0000000000000001' }],
};

const START = '2026-11-20T08:00:00Z';

describe('saving and restoring the simulated world', () => {
  let dir: string;
  let stateFile: string;
  let open: EcsSimulator[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    stateFile = join(dir, 'world', 'ecs.json');
    open = [];
  });
  afterEach(async () => {
    for (const sim of open) await sim.close();
  });

  const start = async (clock = new ManualSimClock(START), seed: SimSeedInput = SEED) => {
    const sim = await createEcsSimulator({ seed, clock, stateFile });
    open.push(sim);
    return { sim, clock };
  };
  const stop = async (sim: EcsSimulator) => {
    open.splice(open.indexOf(sim), 1);
    await sim.close();
  };
  const idOf = (sim: EcsSimulator, name: string) => sim.inspect.images('cn-hangzhou').find((i) => i.name === name)!.id;
  const saved = () => JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;

  it('restores images, snapshots, tasks, instances, shares, tokens and the clock after a restart', async () => {
    // Prepare
    const first = await start();
    const web = idOf(first.sim, 'golden-web');
    const copy = await rawCall(first.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: web, DestinationRegionId: 'cn-shanghai', DestinationImageName: 'golden-web', ClientToken: 'rj-1-r1' });
    await rawCall(first.sim, 'ModifyImageSharePermission', { RegionId: 'cn-hangzhou', ImageId: web, ...flatValues('AddAccount', ['1000000000000002']) });
    first.clock.advanceSeconds(500);
    const before = { images: first.sim.inspect.images('cn-shanghai'), snapshots: first.sim.inspect.snapshots(), tasks: first.sim.inspect.copyTasks() };
    await stop(first.sim);

    // Act
    const second = await start(new ManualSimClock(START));
    const replay = await rawCall(second.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: web, DestinationRegionId: 'cn-shanghai', DestinationImageName: 'golden-web', ClientToken: 'rj-1-r1' });
    const restoredAt = second.clock.now().toISOString();
    const restoredSnapshots = second.sim.inspect.snapshots().map((s) => s.id);
    second.clock.advanceSeconds(624);
    await rawCall(second.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: idOf(second.sim, 'golden-api'), DestinationRegionId: 'cn-beijing' });

    // Assess
    expect(second.sim.restoredFrom).toBe(stateFile);
    expect(restoredAt).toBe('2026-11-20T08:08:20.000Z');
    expect(second.sim.inspect.images('cn-shanghai').map((i) => i.id)).toEqual(before.images.map((i) => i.id));
    expect(restoredSnapshots).toEqual(before.snapshots.map((s) => s.id));
    expect(replay.ImageId).toBe(copy.ImageId);
    expect(second.sim.inspect.copyTasks().map((t) => t.id)).toEqual([...before.tasks.map((t) => t.id), 'copy-2']);
    expect(second.sim.inspect.image(String(copy.ImageId))?.status).toBe('Available');
    expect(second.sim.inspect.shares(web).map((s) => s.accountId)).toEqual(['1000000000000002']);
    expect(second.sim.inspect.instances('cn-hangzhou').map((i) => i.id)).toEqual(['i-api0000000000000001']);
  });

  it('keeps launch templates, scaling configurations and whether Auto Scaling is activated across a restart, and reads a file saved before them', async () => {
    // Prepare
    const first = await start();
    const api = idOf(first.sim, 'golden-api');
    const template = first.sim.inspect.addLaunchTemplate({ region: 'cn-hangzhou', versions: [api] });
    const configuration = first.sim.inspect.addScalingConfiguration({ region: 'cn-hangzhou', imageId: api, lifecycle: 'Inactive' });
    first.sim.inspect.setAutoScalingActivated(false);
    await stop(first.sim);
    const withThem = saved();
    writeFileSync(stateFile, JSON.stringify({ ...withThem, launchTemplates: undefined, scalingConfigurations: undefined, autoScalingActivated: undefined }));
    const older = await start();
    const olderTemplates = await rawCall(older.sim, 'DescribeLaunchTemplates', { RegionId: 'cn-hangzhou' });
    await stop(older.sim);
    writeFileSync(stateFile, JSON.stringify(withThem));

    // Act
    const second = await start();
    const versions = await rawCall(second.sim, 'DescribeLaunchTemplateVersions', { RegionId: 'cn-hangzhou', LaunchTemplateId: template.id });
    const ess = new AlibabaEcsImageCloud({ credentials: explicitCredentials(TEST_CREDENTIALS), endpoint: { endpoint: second.sim.endpoint, protocol: 'http' }, retry: { maxAttempts: 1 } });
    const refused = await rejection(ess.call('DescribeScalingConfigurations', 'cn-hangzhou', {}));

    // Assess
    expect(olderTemplates.TotalCount).toBe(0);
    expect(items(versions, 'LaunchTemplateVersionSets', 'LaunchTemplateVersionSet').map((version) => version.LaunchTemplateData)).toEqual([{ ImageId: api }]);
    expect(refused).toMatchObject({ code: 'Forbidden.Unsubscribed' });
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).scalingConfigurations).toEqual([expect.objectContaining({ id: configuration.id, imageId: api, lifecycle: 'Inactive' })]);
  });

  it('continues ids after a restore and never reissues one, not even a deleted one', async () => {
    // Prepare
    const first = await start();
    const doomed = first.sim.inspect.addImage({ region: 'cn-beijing', name: 'doomed', sizeGiB: 1 });
    await rawCall(first.sim, 'DeleteImage', { RegionId: 'cn-beijing', ImageId: doomed.id });
    const everIssued = new Set([...first.sim.inspect.created('image'), ...first.sim.inspect.created('snapshot')].map((r) => r.id));
    await stop(first.sim);

    // Act
    const second = await start();
    const fresh = [];
    for (let i = 0; i < 5; i += 1) fresh.push(second.sim.inspect.addImage({ region: 'cn-beijing', name: `fresh-${i}`, sizeGiB: 1 }));

    // Assess
    const freshIds = fresh.flatMap((image) => [image.id, ...image.disks.map((d) => d.snapshotId)]);
    expect(freshIds.filter((id) => everIssued.has(id))).toEqual([]);
    expect(second.sim.inspect.created('image', { name: 'doomed' })).toMatchObject([{ id: doomed.id, deletedAt: expect.any(Number) }]);
  });

  it('issues after a restart exactly the ids an uninterrupted run would have', async () => {
    // Prepare
    const twin = await createEcsSimulator({ seed: SEED, clock: new ManualSimClock(START) });
    open.push(twin);
    const first = await start();
    for (const sim of [twin, first.sim]) sim.inspect.addImage({ region: 'cn-beijing', name: 'before', sizeGiB: 1 });
    await stop(first.sim);

    // Act
    const second = await start();
    const restarted = second.sim.inspect.addImage({ region: 'cn-beijing', name: 'after', sizeGiB: 1 });
    const uninterrupted = twin.inspect.addImage({ region: 'cn-beijing', name: 'after', sizeGiB: 1 });

    // Assess
    expect(restarted.id).toBe(uninterrupted.id);
    expect(restarted.disks[0]?.snapshotId).toBe(uninterrupted.disks[0]?.snapshotId);
  });

  it('issues fresh ids even from a file whose generator position is stale', async () => {
    // Prepare
    const first = await start();
    // The first id the seed's generator issued; once deleted, only the history remembers it.
    const firstIssued = idOf(first.sim, 'golden-web');
    await rawCall(first.sim, 'DeleteImage', { RegionId: 'cn-hangzhou', ImageId: firstIssued });
    await stop(first.sim);
    // Rewind the generator to the seed's start: without the history it would hand out the same ids again.
    writeFileSync(stateFile, JSON.stringify({ ...saved(), randomState: 1 }));

    // Act
    const second = await start();
    const fresh = second.sim.inspect.addImage({ region: 'cn-hangzhou', name: 'after-rewind', sizeGiB: 1 });

    // Assess
    expect(fresh.id).not.toBe(firstIssued);
    expect(second.sim.inspect.created('image').filter((r) => r.id === fresh.id)).toHaveLength(1);
  });

  it('saves after every state-changing action, atomically, leaving no temporary file', async () => {
    // Prepare
    const first = await start();
    const web = idOf(first.sim, 'golden-web');

    // Act
    const { ImageId } = await rawCall(first.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: web, DestinationRegionId: 'cn-beijing' });
    const afterCopy = saved();

    // Assess
    expect((afterCopy.images as Array<{ id: string }>).map((i) => i.id)).toContain(ImageId);
    expect(afterCopy).toMatchObject({ format: 'image-replicator/ecs-simulator-state', version: 1, clockMs: Date.parse(START) });
    expect(readdirSync(join(dir, 'world'))).toEqual(['ecs.json']);
  });

  it('restores a world with snapshot copies and images being created, which then finish', async () => {
    // Prepare
    const first = await start();
    const systemSnapshot = first.sim.inspect.image(idOf(first.sim, 'golden-web'))!.disks[0]!.snapshotId;
    const { SnapshotId } = await rawCall(first.sim, 'CopySnapshot', {
      RegionId: 'cn-hangzhou', SnapshotId: systemSnapshot, DestinationRegionId: 'cn-shanghai',
      DestinationSnapshotName: 'web-system', DestinationSnapshotDescription: 'system disk of golden-web',
    });
    first.clock.advanceSeconds(1124);
    const { ImageId } = await rawCall(first.sim, 'CreateImage', { RegionId: 'cn-shanghai', ImageName: 'rebuilt', Platform: 'Aliyun', ...flatList('DiskDeviceMapping', [{ SnapshotId: String(SnapshotId) }]) });
    await stop(first.sim);

    // Act
    const second = await start();
    second.clock.advanceSeconds(60);
    const rebuilt = items(await rawCall(second.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: String(ImageId) }), 'Images', 'Image')[0];

    // Assess
    expect(rebuilt).toMatchObject({ Status: 'Available', Platform: 'Aliyun' });
    expect(await rejection(rawCall(second.sim, 'DeleteSnapshot', { SnapshotId: String(SnapshotId) }))).toMatchObject({ code: 'SnapshotCreatedImage' });
  });

  it('resumes a scaled clock at the saved position', async () => {
    // Prepare
    const first = await createEcsSimulator({ seed: { ...SEED, startTime: START, speed: 1 }, stateFile });
    const savedAt = first.clock.now().getTime();
    await first.close();

    // Act
    const second = await createEcsSimulator({ seed: { ...SEED, speed: 1 }, stateFile });
    open.push(second);
    const resumed = second.clock.now().getTime();

    // Assess
    expect(resumed).toBeGreaterThanOrEqual(savedAt);
    expect(resumed - savedAt).toBeLessThan(60_000);
  });

  it('names the file when it is not JSON, and the field when it is not a world', async () => {
    // Prepare
    const broken = join(dir, 'broken.json');
    const alien = join(dir, 'alien.json');
    writeFileSync(broken, '{"format": "image-replicator/ecs-simulator-state", ');
    writeFileSync(alien, JSON.stringify({ format: 'image-replicator/ecs-simulator-state', version: 1, images: 'none' }));

    // Act
    const notJson = await rejection(createEcsSimulator({ seed: SEED, stateFile: broken }));
    const notWorld = await rejection(createEcsSimulator({ seed: SEED, stateFile: alien }));

    // Assess
    expect(notJson).toMatchObject({ name: 'SimStateFileError', message: expect.stringContaining(broken) });
    expect(notWorld).toMatchObject({ name: 'SimStateFileError', message: expect.stringContaining(alien) });
    expect(String(notWorld.message)).toContain('images');
  });

  it('builds the world from the seed when the state file does not exist yet, and writes it at once', async () => {
    // Prepare
    // Act
    const { sim } = await start();

    // Assess
    expect(sim.restoredFrom).toBeUndefined();
    expect((saved().images as unknown[]).length).toBe(2);
  });
});
