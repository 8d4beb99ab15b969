import { imageProgress } from '../lifecycle';
import type { SimImage } from '../model';
import type { SimState } from '../state';

/** `2019-11-15T06:07:05Z`: seconds, no milliseconds, as the API writes it. */
export const apiTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const osName = (image: SimImage): string =>
  image.platform === 'Aliyun' ? 'Alibaba Cloud Linux 3.2104 LTS 64 bit' : `${image.platform} ${image.architecture === 'i386' ? '32' : '64'} bit`;

/** `instance` while any instance in the region was launched from the image. */
export const imageUsage = (state: SimState, image: SimImage): 'instance' | 'none' =>
  state.instancesUsing(image).length > 0 ? 'instance' : 'none';

/** An image the way DescribeImages shows it (PascalCase; Size an integer, disk Size a string). */
export const imageView = (state: SimState, image: SimImage): Record<string, unknown> => {
  const progress = imageProgress(state, image);
  const copying = image.copyTaskId !== undefined && progress.percent < 100 && image.status !== 'CreateFailed';
  return {
    ImageId: image.id,
    ImageName: image.name,
    Description: image.description,
    Status: image.status,
    Progress: `${progress.percent}%`,
    Size: image.sizeGiB,
    CreationTime: apiTime(image.createdAt),
    ImageOwnerAlias: image.ownerAlias,
    IsCopied: image.isCopied,
    IsSelfShared: image.sharedWith.length > 0 ? 'True' : 'False',
    IsSubscribed: false,
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    OSType: image.osType,
    OSName: osName(image),
    OSNameEn: osName(image),
    Platform: image.platform,
    Architecture: image.architecture,
    BootMode: image.bootMode,
    Usage: imageUsage(state, image),
    ProductCode: '',
    ImageFamily: image.imageFamily,
    ImageVersion: '',
    ResourceGroupId: image.resourceGroupId,
    Tags: { Tag: image.tags.map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
    DiskDeviceMappings: {
      DiskDeviceMapping: image.disks.map((disk) => ({
        Device: disk.device,
        Type: disk.type,
        Size: String(disk.sizeGiB),
        SnapshotId: state.snapshots.has(disk.snapshotId) ? disk.snapshotId : '',
        Format: '',
        ImportOSSBucket: '',
        ImportOSSObject: '',
        Encrypted: image.encrypted,
        Progress: copying ? `${progress.percent}%` : '',
        RemainTime: copying ? progress.remainSeconds : 0,
      })),
    },
  };
};
