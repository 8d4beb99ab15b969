import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, flatList, items, rawCall, rejection, startSimKit } from './sim-test-kit';

const SYSTEM = 's-system00000000000001';
const DATA = 's-data0000000000000001';

describe('retention: delete order and in-use checks', () => {
  let kit: SimKit;
  let builtId: string;
  beforeEach(async () => {
    kit = await startSimKit({
      imageCreation: { durationSeconds: 0 },
      snapshots: [
        { region: 'cn-shanghai', id: SYSTEM, sizeGiB: 40, diskType: 'system' },
        { region: 'cn-shanghai', id: DATA, sizeGiB: 200, diskType: 'data' },
      ],
      images: [
        { region: 'cn-shanghai', name: 'running-web', sizeGiB: 20, imageFamily: 'web' },
        { region: 'cn-shanghai', name: 'idle-web', sizeGiB: 20, imageFamily: 'web' },
        { region: 'cn-shanghai', name: 'shared-web', sizeGiB: 20, sharedWith: ['1000000000000002'] },
      ],
      instances: [
        { region: 'cn-shanghai', image: 'running-web', id: 'i-web0000000000000001', name: 'web-1' },
        { region: 'cn-shanghai', image: 'running-web', id: 'i-web0000000000000002', name: 'web-2', status: 'Stopped' },
      ],
    });
    const { ImageId } = await rawCall(kit.sim, 'CreateImage', {
      RegionId: 'cn-shanghai',
      ImageName: 'built-from-snapshots',
      ...flatList('DiskDeviceMapping', [{ SnapshotId: SYSTEM }, { SnapshotId: DATA }]),
    });
    builtId = String(ImageId);
  });
  afterEach(() => kit.close());

  const idOf = (name: string) => kit.sim.inspect.images('cn-shanghai').find((i) => i.name === name)!.id;
  const deleteImage = (imageId: string, extra: Record<string, string> = {}) => rawCall(kit.sim, 'DeleteImage', { RegionId: 'cn-shanghai', ImageId: imageId, ...extra });
  const deleteSnapshot = (snapshotId: string) => rawCall(kit.sim, 'DeleteSnapshot', { SnapshotId: snapshotId });

  it('refuses to delete a snapshot while an image uses it, and deletes it once the image is gone', async () => {
    // Prepare
    const refused = await rejection(deleteSnapshot(DATA));

    // Act
    await deleteImage(builtId);
    await deleteSnapshot(DATA);
    await deleteSnapshot(SYSTEM);

    // Assess
    expect(refused).toMatchObject({ statusCode: 403, code: 'SnapshotCreatedImage' });
    expect(kit.sim.inspect.snapshots('cn-shanghai').map((s) => s.id)).not.toContain(DATA);
    expect(kit.sim.inspect.created('snapshot', { region: 'cn-shanghai' }).filter((r) => r.deletedAt !== undefined).map((r) => r.id).sort()).toEqual([DATA, SYSTEM].sort());
  });

  it('keeps the snapshots an image was built from when the image is deleted', async () => {
    // Prepare
    // Act
    await deleteImage(builtId);

    // Assess
    expect(kit.sim.inspect.snapshot(SYSTEM)).toBeDefined();
    expect(kit.sim.inspect.snapshot(DATA)).toBeDefined();
  });

  it('ignores DeleteSnapshot of a missing snapshot', async () => {
    // Prepare
    // Act
    const body = await deleteSnapshot('s-gone00000000000000001');

    // Assess
    expect(body.RequestId).toEqual(expect.any(String));
  });

  it('finds the images still using a snapshot with DescribeImages SnapshotId', async () => {
    // Prepare
    // Act
    const using = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', SnapshotId: DATA });

    // Assess
    expect(items(using, 'Images', 'Image').map((i) => i.ImageId)).toEqual([builtId]);
  });

  it('refuses to delete an image instances run from unless Force, as DescribeInstances and Usage show', async () => {
    // Prepare
    const running = idOf('running-web');
    const instances = await rawCall(kit.sim, 'DescribeInstances', { RegionId: 'cn-shanghai', ImageId: running });
    const inUse = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', Usage: 'instance' });

    // Act
    const refused = await rejection(deleteImage(running));
    await deleteImage(running, { Force: 'true' });

    // Assess
    expect(items(instances, 'Instances', 'Instance')).toMatchObject([
      { InstanceId: 'i-web0000000000000001', InstanceName: 'web-1', ImageId: running, Status: 'Running' },
      { InstanceId: 'i-web0000000000000002', ImageId: running, Status: 'Stopped' },
    ]);
    expect(items(inUse, 'Images', 'Image').map((i) => [i.ImageName, i.Usage])).toEqual([['running-web', 'instance']]);
    expect(refused).toMatchObject({ statusCode: 403, code: 'ImageUsingByInstance' });
    expect(kit.sim.inspect.image(running)).toBeUndefined();
    expect(kit.sim.inspect.instances('cn-shanghai')).toHaveLength(2);
  });

  it('refuses to delete a shared image, even with Force, until it is unshared', async () => {
    // Prepare
    const shared = idOf('shared-web');
    const withForce = await rejection(deleteImage(shared, { Force: 'true' }));

    // Act
    await rawCall(kit.sim, 'ModifyImageSharePermission', { RegionId: 'cn-shanghai', ImageId: shared, 'RemoveAccount.1': '1000000000000002' });
    await deleteImage(shared);

    // Assess
    expect(withForce).toMatchObject({ statusCode: 403, code: 'ImageUseShared' });
    expect(kit.sim.inspect.image(shared)).toBeUndefined();
  });

  it('filters DescribeImages by Usage=none and by ImageFamily', async () => {
    // Prepare
    // Act
    const unused = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', Usage: 'none' });
    const family = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageFamily: 'web' });
    const badUsage = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', Usage: 'sometimes' }));

    // Assess
    expect(items(unused, 'Images', 'Image').map((i) => i.ImageName).sort()).toEqual(['built-from-snapshots', 'idle-web', 'shared-web']);
    expect(items(family, 'Images', 'Image').map((i) => i.ImageName).sort()).toEqual(['idle-web', 'running-web']);
    expect(badUsage).toMatchObject({ statusCode: 400, code: 'InvalidUsage' });
  });

  it('pages DescribeInstances and finds nothing for an image no instance runs', async () => {
    // Prepare
    for (let i = 0; i < 12; i += 1) kit.sim.inspect.addInstance({ region: 'cn-shanghai', imageId: idOf('idle-web') });

    // Act
    const second = await rawCall(kit.sim, 'DescribeInstances', { RegionId: 'cn-shanghai', ImageId: idOf('idle-web'), PageNumber: '2', PageSize: '10' });
    const none = await rawCall(kit.sim, 'DescribeInstances', { RegionId: 'cn-shanghai', ImageId: builtId });

    // Assess
    expect(second).toMatchObject({ PageNumber: 2, PageSize: 10, TotalCount: 12 });
    expect(items(second, 'Instances', 'Instance')).toHaveLength(2);
    expect(none.TotalCount).toBe(0);
  });

  it('keeps a deleted image\'s own snapshots when the documented behaviour is chosen', async () => {
    // Prepare
    kit.sim.inspect.setQuirks({ imageSnapshotsOnDelete: 'keep' });
    const idle = kit.sim.inspect.image(idOf('idle-web'))!;

    // Act
    await deleteImage(idle.id);
    const left = kit.sim.inspect.snapshot(idle.disks[0]!.snapshotId);
    await deleteSnapshot(idle.disks[0]!.snapshotId);

    // Assess
    expect(left).toMatchObject({ imageId: idle.id, status: 'accomplished' });
    expect(kit.sim.inspect.snapshot(idle.disks[0]!.snapshotId)).toBeUndefined();
  });
});

describe('what would launch an image: launch templates and Auto Scaling configurations', () => {
  let kit: SimKit;
  beforeEach(async () => {
    kit = await startSimKit({ images: [{ region: 'cn-shanghai', name: 'web', sizeGiB: 20 }] });
  });
  afterEach(() => kit.close());

  const ess = (query: Record<string, string>) => rawCall(kit.sim, 'DescribeScalingConfigurations', query, undefined, {}, '2014-08-28');

  it('lists a template’s versions only for a template named, with their image unless DetailFlag is false', async () => {
    // Prepare
    const imageId = kit.sim.inspect.images('cn-shanghai')[0]?.id ?? '';
    const template = kit.sim.inspect.addLaunchTemplate({ region: 'cn-shanghai', name: 'web', versions: [imageId, undefined] });

    // Act
    const unnamed = await rejection(rawCall(kit.sim, 'DescribeLaunchTemplateVersions', { RegionId: 'cn-shanghai' }));
    const unknown = await rejection(rawCall(kit.sim, 'DescribeLaunchTemplateVersions', { RegionId: 'cn-shanghai', LaunchTemplateId: 'lt-nothere' }));
    const detailed = await rawCall(kit.sim, 'DescribeLaunchTemplateVersions', { RegionId: 'cn-shanghai', LaunchTemplateName: 'web' });
    const bare = await rawCall(kit.sim, 'DescribeLaunchTemplateVersions', { RegionId: 'cn-shanghai', LaunchTemplateId: template.id, DetailFlag: 'false' });
    const tooBig = await rejection(rawCall(kit.sim, 'DescribeLaunchTemplates', { RegionId: 'cn-shanghai', PageSize: '51' }));

    // Assess
    expect(unnamed).toMatchObject({ code: 'MissingParameter' });
    expect(unknown).toMatchObject({ code: 'InvalidLaunchTemplate.NotFound' });
    expect(items(detailed, 'LaunchTemplateVersionSets', 'LaunchTemplateVersionSet').map((v) => [v.VersionNumber, v.LaunchTemplateData])).toEqual([
      [1, { ImageId: imageId }],
      [2, {}],
    ]);
    expect(items(bare, 'LaunchTemplateVersionSets', 'LaunchTemplateVersionSet').every((v) => v.LaunchTemplateData === undefined)).toBe(true);
    expect(tooBig).toMatchObject({ code: 'InvalidPageSize.Malformed' });
  });

  it('lists scaling configurations under ESS’s version only, 50 a page at most, of one group when asked', async () => {
    // Prepare
    const imageId = kit.sim.inspect.images('cn-shanghai')[0]?.id ?? '';
    kit.sim.inspect.addScalingConfiguration({ region: 'cn-shanghai', imageId, groupId: 'asg-web' });
    kit.sim.inspect.addScalingConfiguration({ region: 'cn-shanghai', groupId: 'asg-api' });

    // Act
    const all = await ess({ RegionId: 'cn-shanghai' });
    const web = await ess({ RegionId: 'cn-shanghai', ScalingGroupId: 'asg-web' });
    const tooBig = await rejection(ess({ RegionId: 'cn-shanghai', PageSize: '51' }));
    const underEcs = await rejection(rawCall(kit.sim, 'DescribeScalingConfigurations', { RegionId: 'cn-shanghai' }));
    const ecsUnderEss = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai' }, undefined, {}, '2014-08-28'));

    // Assess
    expect(all.TotalCount).toBe(2);
    expect(items(web, 'ScalingConfigurations', 'ScalingConfiguration').map((c) => [c.ScalingGroupId, c.ImageId, c.LifecycleState])).toEqual([['asg-web', imageId, 'Active']]);
    expect(tooBig).toMatchObject({ code: 'InvalidParameter' });
    expect([underEcs, ecsUnderEss]).toMatchObject([{ code: 'InvalidAction.NotFound' }, { code: 'InvalidAction.NotFound' }]);
  });
});
