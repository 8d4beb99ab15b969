import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, rawCall, startSimKit } from './sim-test-kit';

describe('inspection for test oracles: everything ever created', () => {
  let kit: SimKit;
  let sourceId: string;
  beforeEach(async () => {
    kit = await startSimKit({
      copy: { bandwidthMiBps: 10, overheadSeconds: 100 },
      images: [{ region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 10 }],
    });
    sourceId = kit.sim.inspect.images('cn-hangzhou')[0]!.id;
  });
  afterEach(() => kit.close());

  const copy = (destination: string, job: string) =>
    rawCall(kit.sim, 'CopyImage', {
      RegionId: 'cn-hangzhou', ImageId: sourceId, DestinationRegionId: destination, DestinationImageName: 'golden-web',
      'Tag.1.Key': 'image-replicator:job', 'Tag.1.Value': job,
    });

  it('counts images per region and name and per job tag, cancelled and deleted ones included', async () => {
    // Prepare
    const cancelled = await copy('cn-shanghai', 'rj-1');
    await rawCall(kit.sim, 'CancelCopyImage', { RegionId: 'cn-shanghai', ImageId: String(cancelled.ImageId) });
    const kept = await copy('cn-shanghai', 'rj-1');
    kit.clock.advanceSeconds(1124);
    const deleted = await copy('cn-beijing', 'rj-2');
    kit.clock.advanceSeconds(1124);
    await rawCall(kit.sim, 'DeleteImage', { RegionId: 'cn-beijing', ImageId: String(deleted.ImageId) });

    // Act
    const byName = kit.sim.inspect.createdCounts('image', 'name');
    const byJob = kit.sim.inspect.createdCounts('image', { tagKey: 'image-replicator:job' });
    const snapshots = kit.sim.inspect.createdCounts('snapshot', { tagKey: 'image-replicator:job' });

    // Assess
    expect(byName).toEqual([
      { region: 'cn-beijing', key: 'golden-web', created: 1, deleted: 1, live: 0, ids: [deleted.ImageId] },
      { region: 'cn-hangzhou', key: 'golden-web', created: 1, deleted: 0, live: 1, ids: [sourceId] },
      { region: 'cn-shanghai', key: 'golden-web', created: 2, deleted: 1, live: 1, ids: [cancelled.ImageId, kept.ImageId] },
    ]);
    expect(byJob.map((c) => [c.region, c.key, c.created, c.deleted])).toEqual([
      ['cn-beijing', 'rj-2', 1, 1],
      ['cn-shanghai', 'rj-1', 2, 1],
    ]);
    expect(snapshots).toEqual([]);
    expect(kit.sim.inspect.created('image', { origin: 'CopyImage', tag: { key: 'image-replicator:job' } })).toHaveLength(3);
  });

  it('counts tags added after the fact, and keeps the name and tags an image had when it was deleted', async () => {
    // Prepare
    const { ImageId } = await rawCall(kit.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: sourceId, DestinationRegionId: 'cn-shenzhen' });
    kit.clock.advanceSeconds(1124);
    await rawCall(kit.sim, 'TagResources', { RegionId: 'cn-shenzhen', ResourceType: 'image', 'ResourceId.1': String(ImageId), 'Tag.1.Key': 'image-replicator:job', 'Tag.1.Value': 'rj-5' });

    // Act
    await rawCall(kit.sim, 'DeleteImage', { RegionId: 'cn-shenzhen', ImageId: String(ImageId) });

    // Assess
    expect(kit.sim.inspect.created('image', { region: 'cn-shenzhen' })).toMatchObject([
      { id: ImageId, name: 'golden-web', tags: [['image-replicator:job', 'rj-5']], origin: 'CopyImage', deletedAt: expect.any(Number) },
    ]);
  });
});
