import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, flatList, items, rawCall, rejection, startSimKit } from './sim-test-kit';

const SYSTEM = 's-system00000000000001';
const DATA = 's-data0000000000000001';
const DATA_2 = 's-data0000000000000002';
const PENDING = 's-pending0000000000001';

describe('CreateImage from snapshots', () => {
  let kit: SimKit;
  beforeEach(async () => {
    kit = await startSimKit({
      imageCreation: { durationSeconds: 90 },
      snapshots: [
        { region: 'cn-shanghai', id: SYSTEM, sizeGiB: 40, diskType: 'system' },
        { region: 'cn-shanghai', id: DATA, sizeGiB: 500, diskType: 'data' },
        { region: 'cn-shanghai', id: DATA_2, sizeGiB: 300, diskType: 'data' },
        { region: 'cn-shanghai', id: PENDING, sizeGiB: 10, diskType: 'data', status: 'progressing' },
      ],
      images: [{ region: 'cn-shanghai', name: 'taken-name', sizeGiB: 5 }],
    });
  });
  afterEach(() => kit.close());

  const create = (changes: Record<string, string> = {}, disks = [{ SnapshotId: SYSTEM }, { SnapshotId: DATA }]) =>
    rawCall(kit.sim, 'CreateImage', { RegionId: 'cn-shanghai', ImageName: 'golden-from-snapshots', ...flatList('DiskDeviceMapping', disks), ...changes });

  const describe1 = async (imageId: string) =>
    items(await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: imageId, Status: 'ALL' }), 'Images', 'Image')[0];

  it('creates a Creating image with the given platform, architecture, boot mode and family that becomes Available', async () => {
    // Prepare
    const { ImageId } = await create({ Platform: 'Ubuntu', Architecture: 'arm64', BootMode: 'UEFI', ImageFamily: 'golden-web', Description: 'from snapshots', 'Tag.1.Key': 'job', 'Tag.1.Value': 'rj-3' });

    // Act
    const creating = await describe1(String(ImageId));
    kit.clock.advanceSeconds(90);
    const available = await describe1(String(ImageId));

    // Assess
    expect(creating).toMatchObject({ Status: 'Creating', Size: 540, IsCopied: false });
    expect(available).toMatchObject({
      Status: 'Available',
      Progress: '100%',
      Platform: 'Ubuntu',
      OSType: 'linux',
      Architecture: 'arm64',
      BootMode: 'UEFI',
      ImageFamily: 'golden-web',
      Description: 'from snapshots',
      Tags: { Tag: [{ TagKey: 'job', TagValue: 'rj-3' }] },
      DiskDeviceMappings: {
        DiskDeviceMapping: [
          { SnapshotId: SYSTEM, Size: '40', Device: '/dev/xvda', Type: 'system' },
          { SnapshotId: DATA, Size: '500', Device: '/dev/xvdb', Type: 'data' },
        ],
      },
    });
  });

  it('defaults Platform to Others Linux and Architecture to x86_64, as the API does', async () => {
    // Prepare
    // Act
    const { ImageId } = await create();

    // Assess
    expect(await describe1(String(ImageId))).toMatchObject({ Platform: 'Others Linux', Architecture: 'x86_64', OSType: 'linux' });
  });

  it('takes DiskType, Size and Device from the mapping, and a data snapshot as the system disk', async () => {
    // Prepare
    const disks = [
      { SnapshotId: DATA_2, DiskType: 'system', Device: '/dev/xvda' },
      { SnapshotId: DATA, Size: 600, Device: '/dev/xvdc' },
    ];

    // Act
    const { ImageId } = await create({}, disks);

    // Assess
    const mappings = (await describe1(String(ImageId)))?.DiskDeviceMappings as { DiskDeviceMapping: unknown[] };
    expect(mappings.DiskDeviceMapping).toMatchObject([
      { SnapshotId: DATA_2, Type: 'system', Size: '300', Device: '/dev/xvda' },
      { SnapshotId: DATA, Type: 'data', Size: '600', Device: '/dev/xvdc' },
    ]);
  });

  it('accepts a lone SnapshotId as the system disk', async () => {
    // Prepare
    // Act
    const { ImageId } = await rawCall(kit.sim, 'CreateImage', { RegionId: 'cn-shanghai', SnapshotId: SYSTEM, ImageName: 'system-only' });

    // Assess
    expect(kit.sim.inspect.image(String(ImageId))?.disks).toEqual([{ device: '/dev/xvda', type: 'system', sizeGiB: 40, snapshotId: SYSTEM }]);
  });

  it('answers a retried ClientToken with the same image and makes no second one', async () => {
    // Prepare
    const first = await create({ ClientToken: 'rj-3-create' });

    // Act
    const again = await create({ ClientToken: 'rj-3-create' });
    const changed = await rejection(create({ ClientToken: 'rj-3-create', Platform: 'CentOS' }));

    // Assess
    expect(again.ImageId).toBe(first.ImageId);
    expect(kit.sim.inspect.created('image', { origin: 'CreateImage' })).toHaveLength(1);
    expect(changed).toMatchObject({ statusCode: 400, code: 'IdempotentParameterMismatch' });
  });

  it.each([
    ['a snapshot not yet accomplished', {}, [{ SnapshotId: SYSTEM }, { SnapshotId: PENDING }], 403, 'InvalidSnapshotId.NotReady'],
    ['an unknown snapshot', {}, [{ SnapshotId: 's-missing00000000000001' }], 404, 'InvalidSnapshotId.NotFound'],
    ['a snapshot of another region', { RegionId: 'cn-beijing' }, [{ SnapshotId: SYSTEM }], 404, 'InvalidSnapshotId.NotFound'],
    ['no system disk', {}, [{ SnapshotId: DATA }], 400, 'OperationDenied'],
    ['two system disks', {}, [{ SnapshotId: SYSTEM }, { SnapshotId: DATA, DiskType: 'system' }], 400, 'OperationDenied'],
    ['a size below the snapshot', {}, [{ SnapshotId: SYSTEM }, { SnapshotId: DATA, Size: 499 }], 400, 'InvalidSize.ValueNotSupported'],
    ['a system disk not on /dev/xvda', {}, [{ SnapshotId: SYSTEM, Device: '/dev/xvdb' }], 400, 'InvalidParameter'],
    ['two disks on one device', {}, [{ SnapshotId: SYSTEM }, { SnapshotId: DATA, Device: '/dev/xvdb' }, { SnapshotId: DATA_2, Device: '/dev/xvdb' }], 400, 'InvalidParameter'],
    ['an unknown disk type', {}, [{ SnapshotId: SYSTEM }, { SnapshotId: DATA, DiskType: 'boot' }], 400, 'InvalidParameter'],
    ['a name already used in the region', { ImageName: 'taken-name' }, undefined, 400, 'InvalidImageName.Duplicated'],
    ['a name starting with aliyun', { ImageName: 'aliyun-golden' }, undefined, 400, 'InvalidImageName.Malformed'],
    ['an unknown architecture', { Architecture: 'riscv' }, undefined, 400, 'InvalidParameter'],
    ['an unknown platform', { Platform: 'Plan 9' }, undefined, 400, 'InvalidParameter'],
    ['an unknown boot mode', { BootMode: 'Legacy' }, undefined, 400, 'InvalidParameter'],
    ['a family starting with acs:', { ImageFamily: 'acs:golden' }, undefined, 400, 'InvalidImageFamily.Malformed'],
    ['neither snapshots nor an instance', {}, [], 400, 'MissingParameter'],
  ])('refuses %s', async (_, changes, disks, status, code) => {
    // Prepare
    // Act
    const error = await rejection(create(changes, disks));

    // Assess
    expect(error).toMatchObject({ statusCode: status, code });
    expect(kit.sim.inspect.created('image', { origin: 'CreateImage' })).toHaveLength(0);
  });

  it('refuses to delete an image that is still being created', async () => {
    // Prepare
    const { ImageId } = await create();

    // Act
    const error = await rejection(rawCall(kit.sim, 'DeleteImage', { RegionId: 'cn-shanghai', ImageId: String(ImageId) }));

    // Assess
    expect(error).toMatchObject({ statusCode: 403, code: 'ImageIsCreating' });
  });
});
