import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimSeedInput } from '../../sim/seed';
import { type SimKit, flatList, items, rawCall, rejection, startSimKit } from './sim-test-kit';

/** 100 GiB system disk and two 1000 GiB data disks: 2,100 GiB, beyond CopyImage's 2 TiB. */
const DATA_LAKE: NonNullable<SimSeedInput['images']>[number] = {
  region: 'cn-hangzhou',
  name: 'golden-data-lake',
  platform: 'Ubuntu',
  architecture: 'arm64',
  bootMode: 'UEFI',
  imageFamily: 'data-lake',
  tags: { role: 'golden' },
  disks: [
    { type: 'system', sizeGiB: 100 },
    { type: 'data', sizeGiB: 1000 },
    { type: 'data', sizeGiB: 1000 },
  ],
};

type Mapping = { SnapshotId: string; Size: string; Device: string; Type: string };

describe('the >2 TiB route: CopySnapshot per disk, then CreateImage', () => {
  let kit: SimKit;
  let sourceId: string;
  beforeEach(async () => {
    // 100 MiB/s by default, 50 MiB/s from Hangzhou to Frankfurt; 60 s overhead per copy.
    kit = await startSimKit({
      copy: { bandwidthMiBps: 100, overheadSeconds: 60, pairs: [{ from: 'cn-hangzhou', to: 'eu-central-1', bandwidthMiBps: 50 }] },
      imageCreation: { durationSeconds: 120 },
      images: [DATA_LAKE, { region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 20 }],
    });
    sourceId = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === DATA_LAKE.name)!.id;
  });
  afterEach(() => kit.close());

  const source = async () => items(await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', ImageId: sourceId, Status: 'ALL' }), 'Images', 'Image')[0]!;

  const copySnapshots = async (mappings: readonly Mapping[], destination: string) => {
    const ids: string[] = [];
    for (const mapping of mappings) {
      const { SnapshotId } = await rawCall(kit.sim, 'CopySnapshot', {
        RegionId: 'cn-hangzhou',
        SnapshotId: mapping.SnapshotId,
        DestinationRegionId: destination,
        DestinationSnapshotName: `data-lake-${mapping.Device.slice(-4)}`,
        DestinationSnapshotDescription: `copy of ${mapping.SnapshotId}`,
      });
      ids.push(String(SnapshotId));
    }
    return ids;
  };

  it('shows the source as 2,100 GiB over three disks, which CopyImage refuses with SizeExceed.Image', async () => {
    // Prepare
    // Act
    const image = await source();
    const error = await rejection(rawCall(kit.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: sourceId, DestinationRegionId: 'cn-shanghai' }));

    // Assess
    expect(image).toMatchObject({ Size: 2100, Platform: 'Ubuntu', Architecture: 'arm64', BootMode: 'UEFI', ImageFamily: 'data-lake' });
    expect((image.DiskDeviceMappings as { DiskDeviceMapping: Mapping[] }).DiskDeviceMapping).toMatchObject([
      { Type: 'system', Size: '100', Device: '/dev/xvda' },
      { Type: 'data', Size: '1000', Device: '/dev/xvdb' },
      { Type: 'data', Size: '1000', Device: '/dev/xvdc' },
    ]);
    expect(error).toMatchObject({ statusCode: 403, code: 'SizeExceed.Image' });
  });

  it('rebuilds the image in the destination with the source platform, architecture and boot mode', async () => {
    // Prepare
    const image = await source();
    const mappings = (image.DiskDeviceMappings as { DiskDeviceMapping: Mapping[] }).DiskDeviceMapping;
    const copies = await copySnapshots(mappings, 'cn-shanghai');

    // Act
    kit.clock.advanceSeconds(60 + (1000 * 1024) / 100);
    const polled = items(await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-shanghai', SnapshotIds: JSON.stringify(copies) }), 'Snapshots', 'Snapshot');
    const byId = new Map(polled.map((s) => [s.SnapshotId, s]));
    const { ImageId } = await rawCall(kit.sim, 'CreateImage', {
      RegionId: 'cn-shanghai',
      ImageName: 'golden-data-lake',
      Platform: String(image.Platform),
      Architecture: String(image.Architecture),
      BootMode: String(image.BootMode),
      ImageFamily: String(image.ImageFamily),
      ...flatList(
        'DiskDeviceMapping',
        mappings.map((m, i) => ({ SnapshotId: copies[i]!, Size: m.Size, DiskType: m.Type, Device: m.Device })),
      ),
    });
    kit.clock.advanceSeconds(120);
    const rebuilt = items(await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: String(ImageId) }), 'Images', 'Image')[0];

    // Assess
    expect(copies.map((id) => byId.get(id)?.Status)).toEqual(['accomplished', 'accomplished', 'accomplished']);
    expect(copies.map((id) => byId.get(id)?.SourceDiskType)).toEqual(['system', 'data', 'data']);
    expect(rebuilt).toMatchObject({ Status: 'Available', Size: 2100, Platform: 'Ubuntu', Architecture: 'arm64', BootMode: 'UEFI', ImageFamily: 'data-lake' });
    expect((rebuilt?.DiskDeviceMappings as { DiskDeviceMapping: Mapping[] }).DiskDeviceMapping).toMatchObject(
      mappings.map((m, i) => ({ SnapshotId: copies[i], Size: m.Size, Device: m.Device, Type: m.Type })),
    );
    expect(kit.sim.inspect.snapshotGiB('cn-shanghai')).toBe(2100);
  });

  it('copies snapshots at the bandwidth of their region pair, in either direction', async () => {
    // Prepare
    const snapshotId = ((await source()).DiskDeviceMappings as { DiskDeviceMapping: Mapping[] }).DiskDeviceMapping[0]!.SnapshotId;
    const copyTo = async (destination: string) => (await copySnapshots([{ SnapshotId: snapshotId, Size: '100', Device: '/dev/xvda', Type: 'system' }], destination))[0]!;
    const toShanghai = await copyTo('cn-shanghai');
    const toFrankfurt = await copyTo('eu-central-1');

    // Act
    kit.clock.advanceSeconds(60 + 1024);
    const atDefaultEnd = [kit.sim.inspect.snapshot(toShanghai)?.status, kit.sim.inspect.snapshot(toFrankfurt)?.status];
    kit.clock.advanceSeconds(1024);
    const atPairEnd = kit.sim.inspect.snapshot(toFrankfurt)?.status;
    kit.sim.inspect.addSnapshot({ region: 'eu-central-1', id: 's-frankfurt000000001', sizeGiB: 100, diskType: 'data' });
    const back = await rawCall(kit.sim, 'CopySnapshot', {
      RegionId: 'eu-central-1', SnapshotId: 's-frankfurt000000001', DestinationRegionId: 'cn-hangzhou',
      DestinationSnapshotName: 'back-home', DestinationSnapshotDescription: 'the other direction',
    });
    const backView = items(await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-hangzhou', SnapshotIds: JSON.stringify([back.SnapshotId]) }), 'Snapshots', 'Snapshot')[0];

    // Assess
    expect(atDefaultEnd).toEqual(['accomplished', 'progressing']);
    expect(atPairEnd).toBe('accomplished');
    expect(backView?.RemainTime).toBe(60 + 2048);
  });

  it('runs CopyImage at the bandwidth of its region pair too', async () => {
    // Prepare
    const web = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === 'golden-web')!.id;

    // Act
    await rawCall(kit.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: web, DestinationRegionId: 'eu-central-1', DestinationImageName: 'golden-web' });
    kit.clock.advanceSeconds(60 + (20 * 1024) / 50);
    await rawCall(kit.sim, 'CopyImage', { RegionId: 'cn-hangzhou', ImageId: web, DestinationRegionId: 'cn-shanghai', DestinationImageName: 'golden-web' });

    // Assess
    expect(kit.sim.inspect.copyTasks().map((t) => [t.destinationRegion, t.durationMs / 1000])).toEqual([
      ['eu-central-1', 60 + (20 * 1024) / 50],
      ['cn-shanghai', 60 + (20 * 1024) / 100],
    ]);
  });
});
