import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlibabaEcsImageCloud } from '../../shared/providers/alibaba-ecs/image-cloud';
import { type SimKit, startSimKit } from './sim-test-kit';

describe('CancelCopyImage and DeleteImage', () => {
  let kit: SimKit;
  let cloud: AlibabaEcsImageCloud;
  let sourceId: string;
  beforeEach(async () => {
    kit = await startSimKit({
      copy: { bandwidthMiBps: 10, overheadSeconds: 100, maxConcurrentPerSourceRegion: 1 },
      images: [{ region: 'cn-hangzhou', name: 'golden', sizeGiB: 10 }, { region: 'cn-hangzhou', name: 'other', sizeGiB: 10 }],
    });
    cloud = kit.cloud();
    sourceId = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === 'golden')!.id;
  });
  afterEach(() => kit.close());

  const copy = (destinationRegion = 'cn-shanghai', source = sourceId) =>
    cloud.copyImage({ sourceRegion: 'cn-hangzhou', sourceImageId: source, destinationRegion, name: `copy-${destinationRegion}`, tags: {}, idempotencyToken: `t-${source}-${destinationRegion}` });

  it('cancels a running copy in its destination region, removing the image and its snapshots', async () => {
    // Prepare
    const { imageId } = await copy();
    kit.clock.advanceSeconds(60);

    // Act
    await cloud.cancelCopy('cn-shanghai', imageId);

    // Assess
    expect(kit.sim.inspect.image(imageId)).toBeUndefined();
    expect(kit.sim.inspect.snapshotCount('cn-shanghai')).toBe(0);
    expect(kit.sim.inspect.copyTasks()[0]?.status).toBe('cancelled');
    expect(kit.sim.requests.recent('CancelCopyImage')[0]?.params).toEqual({ RegionId: 'cn-shanghai', ImageId: imageId });
  });

  it('lets the next waiting copy start when one is cancelled', async () => {
    // Prepare
    const first = await copy('cn-shanghai');
    const other = kit.sim.inspect.images('cn-hangzhou').find((i) => i.name === 'other')!.id;
    const second = await copy('cn-beijing', other);

    // Act
    kit.clock.advanceSeconds(10);
    await cloud.cancelCopy('cn-shanghai', first.imageId);

    // Assess
    expect(kit.sim.inspect.image(second.imageId)?.status).toBe('Creating');
  });

  it('refuses to cancel a finished copy with IncorrectImageStatus', async () => {
    // Prepare
    const { imageId } = await copy();
    kit.clock.advanceSeconds(2000);

    // Act
    const error = await cloud.cancelCopy('cn-shanghai', imageId).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'IncorrectImageStatus', retryable: false });
    expect(kit.sim.inspect.image(imageId)?.status).toBe('Available');
  });

  it('refuses to cancel an image that is not a copy, and a copy asked of the wrong region', async () => {
    // Prepare
    const { imageId } = await copy();

    // Act
    const notACopy = await cloud.cancelCopy('cn-hangzhou', sourceId).catch((e: unknown) => e);
    const wrongRegion = await cloud.cancelCopy('cn-hangzhou', imageId).catch((e: unknown) => e);

    // Assess
    expect(notACopy).toMatchObject({ code: 'ImageCreatedNotFromCopy', retryable: false });
    expect(wrongRegion).toMatchObject({ code: 'InvalidImageId.NotFound', retryable: false });
  });

  it('refuses to delete an image being copied with a retryable OperationDenied.ImageCopying', async () => {
    // Prepare
    const { imageId } = await copy();

    // Act
    const error = await cloud.deleteImage('cn-shanghai', imageId).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'OperationDenied.ImageCopying', retryable: true, details: { httpStatus: 403 } });
    expect(kit.sim.inspect.image(imageId)).toBeDefined();
  });

  it('deletes a finished copy with its snapshots, and ignores a missing image', async () => {
    // Prepare
    const { imageId } = await copy();
    kit.clock.advanceSeconds(2000);

    // Act
    await cloud.deleteImage('cn-shanghai', imageId);
    await cloud.deleteImage('cn-shanghai', imageId);

    // Assess
    expect(kit.sim.inspect.image(imageId)).toBeUndefined();
    expect(kit.sim.inspect.snapshotCount('cn-shanghai')).toBe(0);
    expect(kit.sim.requests.recent('DeleteImage').map((r) => r.status)).toEqual([200, 200]);
  });

  it('treats InvalidImageId.NotFound from DeleteImage as success when the API answers it', async () => {
    // Prepare
    kit.sim.inspect.setQuirks({ deleteMissingImage: 'notFound' });

    // Act
    await cloud.deleteImage('cn-shanghai', 'm-gone000000000000000');

    // Assess
    expect(kit.sim.requests.recent('DeleteImage')).toMatchObject([{ status: 404, code: 'InvalidImageId.NotFound' }]);
  });
});
