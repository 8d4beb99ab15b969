import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOLDEN, type SimKit, rawCall, rejection, startSimKit } from './sim-test-kit';

const imagesOf = (body: Record<string, unknown>) => (body.Images as { Image: Array<Record<string, unknown>> }).Image;

describe('DescribeImages as the API answers it', () => {
  let kit: SimKit;
  let sourceId: string;
  beforeEach(async () => {
    kit = await startSimKit({ images: [GOLDEN, { region: 'cn-hangzhou', name: 'scratch', sizeGiB: 40, tags: { owner: 'dev' } }] });
    sourceId = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === GOLDEN.name)!.id;
  });
  afterEach(() => kit.close());

  it('hides a copy in progress unless Status is given, and reports Progress as a string', async () => {
    // Prepare
    const { ImageId } = await rawCall(kit.sim, 'CopyImage', {
      RegionId: 'cn-hangzhou', ImageId: sourceId, DestinationRegionId: 'cn-shanghai', DestinationImageName: 'golden-web-copy',
    });
    kit.clock.advanceSeconds(300);

    // Act
    const byDefault = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: String(ImageId) });
    const withStatus = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: String(ImageId), Status: 'Creating,Waiting,Available' });

    // Assess
    expect(byDefault.TotalCount).toBe(0);
    const [copy] = imagesOf(withStatus);
    expect(copy).toMatchObject({ ImageId, Status: 'Creating', Size: 20, IsCopied: false, ImageOwnerAlias: 'self' });
    expect(copy?.Progress).toMatch(/^\d{1,2}%$/);
    const disk = (copy?.DiskDeviceMappings as { DiskDeviceMapping: Array<Record<string, unknown>> }).DiskDeviceMapping[0];
    expect(disk).toMatchObject({ Size: '20', Type: 'system', SnapshotId: expect.stringMatching(/^s-[0-9a-z]{20}$/), RemainTime: expect.any(Number) });
  });

  it('gives images ids of m- and 20 characters and API-style creation times', async () => {
    // Prepare
    // Act
    const body = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou' });

    // Assess
    for (const image of imagesOf(body)) {
      expect(image.ImageId).toMatch(/^m-[0-9a-z]{20}$/);
      expect(image.CreationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    expect(body).toMatchObject({ PageNumber: 1, PageSize: 10, TotalCount: 2, RegionId: 'cn-hangzhou' });
  });

  it('matches every tag given and filters by owner alias', async () => {
    // Prepare
    // Act
    const golden = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', 'Tag.1.Key': 'role', 'Tag.1.Value': 'golden' });
    const both = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', 'Tag.1.Key': 'role', 'Tag.1.Value': 'golden', 'Tag.2.Key': 'owner', 'Tag.2.Value': 'dev' });
    const system = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', ImageOwnerAlias: 'system' });

    // Assess
    expect(imagesOf(golden).map((i) => i.ImageName)).toEqual([GOLDEN.name]);
    expect(both.TotalCount).toBe(0);
    expect(system.TotalCount).toBe(0);
  });

  it('filters by creation time at minute precision', async () => {
    // Prepare
    kit.clock.set('2026-11-20T09:30:40Z');
    kit.sim.inspect.addImage({ region: 'cn-hangzhou', name: 'later', sizeGiB: 10 });

    // Act
    const since = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', 'Filter.1.Key': 'CreationStartTime', 'Filter.1.Value': '2026-11-20T09:30Z' });
    const until = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', 'Filter.1.Key': 'CreationEndTime', 'Filter.1.Value': '2026-11-20T09:29Z' });
    const malformed = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', 'Filter.1.Key': 'CreationStartTime', 'Filter.1.Value': '2026-11-20 09:30' }));

    // Assess
    expect(imagesOf(since).map((i) => i.ImageName)).toEqual(['later']);
    expect(until.TotalCount).toBe(2);
    expect(malformed).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });

  it('pages with PageNumber and refuses a PageSize above 100', async () => {
    // Prepare
    for (let i = 0; i < 23; i += 1) kit.sim.inspect.addImage({ region: 'cn-beijing', name: `bulk-${i}`, sizeGiB: 1 });

    // Act
    const third = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-beijing', PageNumber: '3', PageSize: '10' });
    const tooBig = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-beijing', PageSize: '101' }));

    // Assess
    expect(third).toMatchObject({ PageNumber: 3, PageSize: 10, TotalCount: 23 });
    expect(imagesOf(third)).toHaveLength(3);
    expect(tooBig).toMatchObject({ statusCode: 400, code: 'InvalidPageSize.Malformed' });
  });

  it('refuses ALL combined with another status, and unknown statuses', async () => {
    // Prepare
    // Act
    const combined = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', Status: 'ALL,Available' }));
    const unknown = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', Status: 'Copying' }));
    const all = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-hangzhou', Status: 'ALL' });

    // Assess
    expect(combined).toMatchObject({ statusCode: 400, code: 'InvalidStatus.ValueNotSupported' });
    expect(unknown).toMatchObject({ statusCode: 400, code: 'InvalidStatus.ValueNotSupported' });
    expect(all.TotalCount).toBe(2);
  });

  it('answers an unknown region with InvalidRegionId.NotFound', async () => {
    // Prepare
    // Act
    const error = await rejection(rawCall(kit.sim, 'DescribeImages', { RegionId: 'mars-north-1' }));

    // Assess
    expect(error).toMatchObject({ statusCode: 404, code: 'InvalidRegionId.NotFound' });
  });
});
