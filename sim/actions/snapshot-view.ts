import { snapshotProgress } from '../lifecycle';
import type { SimSnapshot } from '../model';
import type { SimState } from '../state';
import { apiTime } from './image-view';

/** `image` while any image is made from the snapshot (the sim has no disks, so never `disk`). */
export const snapshotUsage = (state: SimState, snapshot: SimSnapshot): 'image' | 'none' =>
  state.imagesUsingSnapshot(snapshot.id).length > 0 ? 'image' : 'none';

/** A snapshot the way DescribeSnapshots shows it: Progress a string, SourceDiskSize a string in GiB. */
export const snapshotView = (state: SimState, snapshot: SimSnapshot): Record<string, unknown> => {
  const progress = snapshotProgress(state, snapshot);
  return {
    SnapshotId: snapshot.id,
    SnapshotName: snapshot.name,
    Description: snapshot.description,
    RegionId: snapshot.region,
    Status: snapshot.status,
    Progress: `${progress.percent}%`,
    RemainTime: progress.remainSeconds,
    CreationTime: apiTime(snapshot.createdAt),
    LastModifiedTime: apiTime(snapshot.createdAt),
    SourceSnapshotId: snapshot.copy?.sourceSnapshotId ?? '',
    SourceRegionId: snapshot.copy?.sourceRegion ?? '',
    SourceDiskId: '',
    SourceDiskSize: String(snapshot.sizeGiB),
    SourceDiskType: snapshot.diskType,
    SourceStorageType: 'disk',
    Usage: snapshotUsage(state, snapshot),
    Encrypted: snapshot.encrypted,
    KMSKeyId: snapshot.kmsKeyId ?? '',
    Available: snapshot.status === 'accomplished',
    Category: 'standard',
    SnapshotType: 'user',
    InstantAccess: false,
    ProductCode: '',
    ResourceGroupId: '',
    ...(snapshot.retentionDays === undefined ? {} : { RetentionDays: snapshot.retentionDays }),
    Tags: { Tag: snapshot.tags.map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
  };
};
