import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageState } from '../../shared/core/domain/image';
import type { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { type SimKit, startSimKit } from './sim-test-kit';

const DESTINATIONS = ['cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'ap-southeast-1', 'eu-central-1', 'us-west-1'];
const ALL = [ImageState.Pending, ImageState.Available, ImageState.Failed, ImageState.Unavailable];

describe('copy tasks in the simulator', () => {
  let kit: SimKit;
  let cloud: AlibabaEcsImageCloud;
  let sources: string[];
  beforeEach(async () => {
    // 10 GiB at 10 MiB/s with 100 s overhead: every copy runs 1124 s.
    kit = await startSimKit({
      copy: { bandwidthMiBps: 10, overheadSeconds: 100 },
      images: [{ region: 'cn-hangzhou', name: 'golden', sizeGiB: 10, count: 6 }],
    });
    cloud = kit.cloud();
    sources = kit.sim.inspect.images('cn-hangzhou').sort((a, b) => a.name.localeCompare(b.name)).map((i) => i.id);
  });
  afterEach(() => kit.close());

  const copy = (sourceImageId: string, destinationRegion: string, token = `${sourceImageId}-${destinationRegion}`) =>
    cloud.copyImage({ sourceRegion: 'cn-hangzhou', sourceImageId, destinationRegion, name: `copy-${token}`, tags: {}, idempotencyToken: token });

  const stateOf = async (region: string, imageId: string) => (await cloud.listImages(region, { imageId, states: ALL }))[0];

  it('runs at most five copies per source region and queues the sixth as Waiting', async () => {
    // Prepare
    const copies = [];
    for (const [i, source] of sources.entries()) copies.push(await copy(source, DESTINATIONS[i]!));

    // Act
    const sixth = kit.sim.inspect.image(copies[5]!.imageId);
    const first = kit.sim.inspect.image(copies[0]!.imageId);

    // Assess
    expect(kit.sim.inspect.activeCopyTasks('cn-hangzhou').filter((t) => t.status === 'running')).toHaveLength(5);
    expect(first?.status).toBe('Creating');
    expect(sixth?.status).toBe('Waiting');
    expect(await stateOf('us-west-1', copies[5]!.imageId)).toMatchObject({ state: ImageState.Pending, progressPercent: 0 });
  });

  it('starts waiting copies in FIFO order as slots free', async () => {
    // Prepare
    kit.sim.inspect.setCopySettings({ maxConcurrentPerSourceRegion: 1 });
    const a = await copy(sources[0]!, 'cn-shanghai');
    const b = await copy(sources[1]!, 'cn-shanghai');
    const c = await copy(sources[2]!, 'cn-shanghai');

    // Act
    kit.clock.advanceSeconds(1124);
    const afterOne = [a, b, c].map((x) => kit.sim.inspect.image(x.imageId)?.status);
    kit.clock.advanceSeconds(1124);
    const afterTwo = [a, b, c].map((x) => kit.sim.inspect.image(x.imageId)?.status);

    // Assess
    expect(afterOne).toEqual(['Available', 'Creating', 'Waiting']);
    expect(afterTwo).toEqual(['Available', 'Available', 'Creating']);
    const tasks = kit.sim.inspect.copyTasks();
    expect(tasks.map((t) => t.startedAt)).toEqual([0, 1124, 2248].map((s) => Date.parse('2026-11-20T08:00:00Z') + s * 1000));
  });

  it('moves progress with the manual clock and ends Available with IsCopied', async () => {
    // Prepare
    const { imageId } = await copy(sources[0]!, 'cn-beijing');

    // Act
    kit.clock.advanceSeconds(562);
    const halfway = await stateOf('cn-beijing', imageId);
    kit.clock.advanceSeconds(562);
    const done = await stateOf('cn-beijing', imageId);

    // Assess
    expect(halfway).toMatchObject({ state: ImageState.Pending, progressPercent: 50 });
    expect(done).toMatchObject({ state: ImageState.Available, progressPercent: 100, sizeGiB: 10 });
    expect(kit.sim.inspect.image(imageId)?.isCopied).toBe(true);
    expect(kit.sim.inspect.snapshots('cn-beijing').map((s) => s.status)).toEqual(['accomplished']);
  });

  it('ends an injected failing copy CreateFailed part-way and frees its slot', async () => {
    // Prepare
    kit.sim.faults.injectNext('CopyImage', 'copyFailure');
    const { imageId } = await copy(sources[0]!, 'cn-shenzhen');

    // Act
    kit.clock.advanceSeconds(1124);
    const failed = await stateOf('cn-shenzhen', imageId);

    // Assess
    expect(failed?.state).toBe(ImageState.Failed);
    expect(kit.sim.faults.counts().copyFailure).toBe(1);
    expect(kit.sim.inspect.activeCopyTasks()).toHaveLength(0);
    expect(kit.sim.inspect.snapshotCount('cn-shenzhen')).toBe(0);
  });

  it('fails every copy when the failure probability is 1', async () => {
    // Prepare
    kit.sim.faults.configure({ copyFailureProbability: 1 });

    // Act
    const { imageId } = await copy(sources[1]!, 'cn-shanghai');
    kit.clock.advanceSeconds(2000);

    // Assess
    expect(kit.sim.inspect.image(imageId)?.status).toBe('CreateFailed');
  });

  it('creates the copy snapshots in the destination when the copy is accepted', async () => {
    // Prepare
    const before = kit.sim.inspect.snapshotCount('eu-central-1');

    // Act
    await copy(sources[0]!, 'eu-central-1');

    // Assess
    expect(before).toBe(0);
    expect(kit.sim.inspect.snapshots('eu-central-1')).toMatchObject([{ sizeGiB: 10, status: 'progressing' }]);
    expect(kit.sim.inspect.snapshotGiB('eu-central-1')).toBe(10);
  });
});
