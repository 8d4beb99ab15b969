import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimKit, flatList, flatValues, items, rawCall, rejection, startSimKit } from './sim-test-kit';

describe('ModifyImageAttribute', () => {
  let kit: SimKit;
  let ids: Record<string, string>;
  beforeEach(async () => {
    kit = await startSimKit({
      images: [
        { region: 'cn-shanghai', name: 'golden-web', sizeGiB: 20, description: 'web tier' },
        { region: 'cn-shanghai', name: 'golden-api', sizeGiB: 20 },
        { region: 'cn-shanghai', name: 'shared-web', sizeGiB: 20, sharedWith: ['1000000000000002'] },
        { region: 'cn-shanghai', name: 'broken', sizeGiB: 20, status: 'CreateFailed' },
      ],
    });
    ids = Object.fromEntries(kit.sim.inspect.images('cn-shanghai').map((i) => [i.name, i.id]));
  });
  afterEach(() => kit.close());

  const modify = (name: string, changes: Record<string, string>) => rawCall(kit.sim, 'ModifyImageAttribute', { RegionId: 'cn-shanghai', ImageId: ids[name]!, ...changes });

  it('sets the family and description after the copy, and deprecates and restores an image', async () => {
    // Prepare
    await modify('golden-web', { ImageFamily: 'web', Description: 'web tier, family set' });

    // Act
    await modify('golden-web', { Status: 'Deprecated' });
    const hidden = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', ImageId: ids['golden-web']! });
    const deprecated = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', Status: 'Deprecated' });
    const copy = await rejection(rawCall(kit.sim, 'CopyImage', { RegionId: 'cn-shanghai', ImageId: ids['golden-web']!, DestinationRegionId: 'cn-beijing' }));
    await modify('golden-web', { Status: 'Available' });

    // Assess
    expect(hidden.TotalCount).toBe(0);
    expect(items(deprecated, 'Images', 'Image')).toMatchObject([{ ImageName: 'golden-web', ImageFamily: 'web', Description: 'web tier, family set' }]);
    expect(copy).toMatchObject({ code: 'IncorrectImageStatus' });
    expect(kit.sim.inspect.image(ids['golden-web']!)?.status).toBe('Available');
  });

  it.each([
    ['deprecating a shared image', 'shared-web', { Status: 'Deprecated' }, 403, 'OperationDenied'],
    ['deprecating a failed image', 'broken', { Status: 'Deprecated' }, 403, 'IncorrectImageStatus'],
    ['a status other than Deprecated or Available', 'golden-web', { Status: 'Creating' }, 400, 'InvalidStatus.ValueNotSupported'],
    ['a name already used', 'golden-web', { ImageName: 'golden-api' }, 400, 'InvalidImageName.Duplicated'],
    ['a malformed family', 'golden-web', { ImageFamily: 'aliyun-web' }, 400, 'InvalidImageFamily.Malformed'],
    ['a malformed description', 'golden-web', { Description: 'http://example.com' }, 400, 'InvalidDescription.Malformed'],
  ])('refuses %s and changes nothing', async (_, name, changes, status, code) => {
    // Prepare
    const before = kit.sim.inspect.image(ids[name]!);

    // Act
    const error = await rejection(modify(name, { Description: 'changed on the way', ...changes }));

    // Assess
    expect(error).toMatchObject({ statusCode: status, code });
    expect(kit.sim.inspect.image(ids[name]!)).toEqual(before);
  });

  it('answers an unknown image with InvalidImageId.NotFound', async () => {
    // Prepare
    // Act
    const error = await rejection(rawCall(kit.sim, 'ModifyImageAttribute', { RegionId: 'cn-shanghai', ImageId: 'm-nothere000000000001', ImageFamily: 'web' }));

    // Assess
    expect(error).toMatchObject({ statusCode: 404, code: 'InvalidImageId.NotFound' });
  });
});

describe('TagResources and UntagResources', () => {
  let kit: SimKit;
  let imageId: string;
  const SNAPSHOT = 's-data0000000000000001';
  beforeEach(async () => {
    kit = await startSimKit({
      images: [{ region: 'cn-shanghai', name: 'golden-web', sizeGiB: 20, tags: { role: 'golden' } }],
      snapshots: [{ region: 'cn-shanghai', id: SNAPSHOT, sizeGiB: 10 }],
    });
    imageId = kit.sim.inspect.images('cn-shanghai')[0]!.id;
  });
  afterEach(() => kit.close());

  const tag = (type: string, ids: readonly string[], tags: ReadonlyArray<{ Key: string; Value: string }>) =>
    rawCall(kit.sim, 'TagResources', { RegionId: 'cn-shanghai', ResourceType: type, ...flatValues('ResourceId', ids), ...flatList('Tag', tags) });

  it('tags an image and a snapshot after the fact, overwriting an existing key, and finds them by tag', async () => {
    // Prepare
    // Act
    await tag('image', [imageId], [{ Key: 'role', Value: 'replica' }, { Key: 'job', Value: 'rj-9' }]);
    await tag('snapshot', [SNAPSHOT], [{ Key: 'job', Value: 'rj-9' }]);
    const images = await rawCall(kit.sim, 'DescribeImages', { RegionId: 'cn-shanghai', 'Tag.1.Key': 'job', 'Tag.1.Value': 'rj-9' });
    const snapshots = await rawCall(kit.sim, 'DescribeSnapshots', { RegionId: 'cn-shanghai', 'Tag.1.Key': 'job', 'Tag.1.Value': 'rj-9' });

    // Assess
    expect(items(images, 'Images', 'Image')[0]?.Tags).toEqual({ Tag: [{ TagKey: 'role', TagValue: 'replica' }, { TagKey: 'job', TagValue: 'rj-9' }] });
    expect(items(snapshots, 'Snapshots', 'Snapshot').map((s) => s.SnapshotId)).toEqual([SNAPSHOT]);
  });

  it('removes given keys, or all tags', async () => {
    // Prepare
    await tag('image', [imageId], [{ Key: 'job', Value: 'rj-9' }, { Key: 'team', Value: 'ops' }]);

    // Act
    await rawCall(kit.sim, 'UntagResources', { RegionId: 'cn-shanghai', ResourceType: 'image', 'ResourceId.1': imageId, ...flatValues('TagKey', ['job']) });
    const afterOne = kit.sim.inspect.image(imageId)?.tags;
    await rawCall(kit.sim, 'UntagResources', { RegionId: 'cn-shanghai', ResourceType: 'image', 'ResourceId.1': imageId, All: 'true' });

    // Assess
    expect(afterOne).toEqual([['role', 'golden'], ['team', 'ops']]);
    expect(kit.sim.inspect.image(imageId)?.tags).toEqual([]);
  });

  it.each([
    ['an unknown resource', 'image', ['m-nothere000000000001'], [{ Key: 'job', Value: 'x' }], 404, 'InvalidResourceId.NotFound'],
    ['an unknown resource type', 'volcano', ['m-x'], [{ Key: 'job', Value: 'x' }], 404, 'InvalidResourceType.NotFound'],
    ['no tags', 'image', ['IMAGE'], [], 404, 'MissingParameter.Tags'],
    ['a repeated key', 'image', ['IMAGE'], [{ Key: 'job', Value: 'a' }, { Key: 'job', Value: 'b' }], 400, 'Duplicate.TagKey'],
    ['a key starting with acs:', 'image', ['IMAGE'], [{ Key: 'acs:job', Value: 'x' }], 400, 'InvalidTagKey.Malformed'],
    ['more than 20 tags on the resource', 'image', ['IMAGE'], Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), 400, 'OperationDenied.QuotaExceed'],
    ['more than 50 resources', 'image', Array.from({ length: 51 }, () => 'IMAGE'), [{ Key: 'job', Value: 'x' }], 400, 'NumberExceed.ResourceIds'],
  ])('refuses %s and tags nothing', async (_, type, ids, tags, status, code) => {
    // Prepare
    const resolved = ids.map((id) => (id === 'IMAGE' ? imageId : id));

    // Act
    const error = await rejection(tag(type, resolved, tags));

    // Assess
    expect(error).toMatchObject({ statusCode: status, code });
    expect(kit.sim.inspect.image(imageId)?.tags).toEqual([['role', 'golden']]);
  });
});
