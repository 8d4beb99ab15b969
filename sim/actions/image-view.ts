import { copyProgress } from '../copy-scheduler';
import type { SimImage } from '../model';
import type { SimState } from '../state';

/** `2019-11-15T06:07:05Z`: seconds, no milliseconds, as the API writes it. */
export const apiTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An image the way DescribeImages shows it (PascalCase; Size an integer, disk Size a string). */
export const imageView = (state: SimState, image: SimImage): Record<string, unknown> => {
  const progress = copyProgress(state, image);
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
    IsSelfShared: 'False',
    IsSubscribed: false,
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    OSType: 'linux',
    OSName: 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
    OSNameEn: 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
    Platform: 'Aliyun',
    Architecture: 'x86_64',
    Usage: 'none',
    ProductCode: '',
    ImageFamily: '',
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
