import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CopyImageCommand } from '../../shared/providers/alibaba-ecs/ecs-images';
import type { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { type SimKit, startSimKit } from './sim-test-kit';

describe('CopyImage rules (through the adapter, as the product meets them)', () => {
  let kit: SimKit;
  let cloud: AlibabaEcsImageCloud;
  let ids: Record<string, string>;
  beforeEach(async () => {
    kit = await startSimKit({
      images: [
        { region: 'cn-hangzhou', name: 'golden-web', sizeGiB: 20 },
        { region: 'cn-hangzhou', name: 'still-building', sizeGiB: 20, status: 'Creating' },
        { region: 'cn-hangzhou', name: 'huge', sizeGiB: 2049 },
        { region: 'cn-shanghai', name: 'taken-name', sizeGiB: 5 },
      ],
    });
    cloud = kit.cloud();
    ids = Object.fromEntries([...kit.sim.inspect.images('cn-hangzhou'), ...kit.sim.inspect.images('cn-shanghai')].map((i) => [i.name, i.id]));
  });
  afterEach(() => kit.close());

  const command = (changes: Partial<CopyImageCommand> = {}): CopyImageCommand => ({
    sourceRegion: 'cn-hangzhou',
    sourceImageId: ids['golden-web']!,
    destinationRegion: 'cn-shanghai',
    name: 'golden-web-copy',
    tags: { 'image-replicator:managed': 'true' },
    idempotencyToken: `tok-${Math.random().toString(36).slice(2)}`,
    ...changes,
  });

  it.each([
    ['a missing source image', { sourceImageId: 'm-doesnotexist0000000' }, 'InvalidImageId.NotFound', 404],
    ['a source that is not Available', { sourceImageId: 'still-building' }, 'IncorrectImageStatus', 400],
    ['an unknown destination region', { destinationRegion: 'mars-north-1' }, 'DestinationRegion.NotFound', 400],
    ['an unknown source region', { sourceRegion: 'mars-north-1' }, 'InvalidRegionId.NotFound', 404],
    ['the source region as destination', { destinationRegion: 'cn-hangzhou' }, 'IncorrectDestinationRegion', 403],
    ['a name starting with a digit', { name: '1-golden' }, 'InvalidImageName.Malformed', 400],
    ['a name starting with aliyun', { name: 'aliyun-golden' }, 'InvalidImageName.Malformed', 400],
    ['a name with a URL', { name: 'http://golden' }, 'InvalidImageName.Malformed', 400],
    ['a one-character name', { name: 'g' }, 'InvalidImageName.Malformed', 400],
    ['a name with a space', { name: 'golden web' }, 'InvalidImageName.Malformed', 400],
    ['a name already used in the destination', { name: 'taken-name' }, 'InvalidImageName.Duplicated', 400],
    ['a KMS key without Encrypted', { kmsKeyId: 'key-123' }, 'InvalidParameter.EncryptedIllegal', 400],
    ['an image over 2 TiB', { sourceImageId: 'huge' }, 'SizeExceed.Image', 403],
    ['a tag key starting with acs:', { tags: { 'acs:owner': 'x' } }, 'InvalidTagKey.Malformed', 400],
    ['a description starting with https://', { description: 'https://example.com' }, 'InvalidDescription.Malformed', 400],
  ])('refuses %s with a terminal %s', async (_, changes, code, status) => {
    // Prepare
    const given: Partial<CopyImageCommand> = changes;
    const named = given.sourceImageId === undefined ? undefined : ids[given.sourceImageId];

    // Act
    const error = await cloud.copyImage(command({ ...given, ...(named === undefined ? {} : { sourceImageId: named }) })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code, retryable: false, details: { httpStatus: status, action: 'CopyImage' } });
    expect(kit.sim.inspect.activeCopyTasks()).toHaveLength(0);
  });

  it('refuses more than 20 tags', async () => {
    // Prepare
    const tags = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));

    // Act
    const error = await cloud.copyImage(command({ tags })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'InvalidTagCount', retryable: false });
  });

  it('answers a retried ClientToken with the same copy and makes no second one', async () => {
    // Prepare
    const first = command({ idempotencyToken: 'rj-1-r1-a1' });

    // Act
    const a = await cloud.copyImage(first);
    const b = await cloud.copyImage(first);

    // Assess
    expect(b.imageId).toBe(a.imageId);
    expect(kit.sim.inspect.copiesOf(ids['golden-web']!, 'cn-shanghai')).toBe(1);
  });

  it('refuses a reused ClientToken with other parameters (IdempotentParameterMismatch)', async () => {
    // Prepare
    await cloud.copyImage(command({ idempotencyToken: 'rj-2-r1-a1' }));

    // Act
    const error = await cloud.copyImage(command({ idempotencyToken: 'rj-2-r1-a1', name: 'another-name' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'IdempotentParameterMismatch', retryable: false });
  });

  it('refuses a second copy of an image being copied with a retryable ImageCopyConflict', async () => {
    // Prepare
    await cloud.copyImage(command({ destinationRegion: 'cn-shanghai' }));

    // Act
    const error = await cloud.copyImage(command({ destinationRegion: 'cn-beijing' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'OperationDenied.ImageCopyConflict', retryable: true, details: { httpStatus: 400 } });
  });

  it('refuses a copy into a region at its image quota', async () => {
    // Prepare
    kit.sim.inspect.setCopySettings({ imageQuotaPerRegion: 1 });

    // Act
    const error = await cloud.copyImage(command()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'QuotaExceed.Image', retryable: false, details: { httpStatus: 403 } });
  });

  it('copies encrypted with a KMS key when Encrypted is set', async () => {
    // Prepare
    // Act
    const { imageId } = await cloud.copyImage(command({ encrypted: true, kmsKeyId: 'key-123' }));

    // Assess
    expect(kit.sim.inspect.image(imageId)).toMatchObject({ encrypted: true, kmsKeyId: 'key-123', region: 'cn-shanghai' });
  });
});
