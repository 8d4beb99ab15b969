import type { Architecture, BootMode, DiskType, ImageShare, OwnerAlias, SimImageStatus, SnapshotCopy, SnapshotStatus, TagList } from './model';

/** Tags as callers give them: a record (seeds) or key/value pairs (the wire, where order counts). */
export type Tags = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

export interface NewDisk {
  readonly type: DiskType;
  readonly sizeGiB: number;
  readonly device?: string | undefined;
  /** CreateImage: the disk comes from this existing snapshot, which the image uses but does not own. */
  readonly fromSnapshotId?: string | undefined;
  /** Seeds: the id to give the snapshot made for this disk. */
  readonly snapshotId?: string | undefined;
}

/** What callers hand the state to add an image; the state fills in the rest. */
export interface NewImage {
  readonly region: string;
  readonly name: string;
  readonly sizeGiB: number;
  readonly id?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: SimImageStatus | undefined;
  readonly tags?: Tags | undefined;
  readonly createdAt?: Date | undefined;
  readonly ownerAlias?: OwnerAlias | undefined;
  readonly isCopied?: boolean | undefined;
  readonly encrypted?: boolean | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly resourceGroupId?: string | undefined;
  readonly copyTaskId?: string | undefined;
  /** One system disk of `sizeGiB` when absent. */
  readonly disks?: readonly NewDisk[] | undefined;
  readonly platform?: string | undefined;
  readonly architecture?: Architecture | undefined;
  readonly bootMode?: BootMode | undefined;
  readonly imageFamily?: string | undefined;
  readonly readyAt?: number | undefined;
  readonly sharedWith?: readonly ImageShare[] | undefined;
  /** Who made it, for the history: seed, CopyImage, CreateImage, inspection. */
  readonly origin?: string | undefined;
}

export interface NewSnapshot {
  readonly region: string;
  readonly sizeGiB: number;
  readonly diskType: DiskType;
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly imageId?: string | undefined;
  readonly status?: SnapshotStatus | undefined;
  readonly createdAt?: number | undefined;
  readonly encrypted?: boolean | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly tags?: Tags | undefined;
  readonly retentionDays?: number | undefined;
  readonly copy?: SnapshotCopy | undefined;
  readonly origin?: string | undefined;
}

export const tagList = (tags: Tags | undefined): TagList =>
  tags === undefined ? [] : Array.isArray(tags) ? tags.map(([k, v]) => [k, v] as [string, string]) : Object.entries(tags);

const DATA_DEVICES = 'bcdefghijklmnopqrstuvwxyz';

/** `/dev/xvda` for the system disk, then `/dev/xvdb`… for data disks in the order given. */
export const defaultDevices = (disks: ReadonlyArray<{ readonly type: DiskType; readonly device?: string | undefined }>): string[] => {
  const taken = new Set(disks.map((d) => d.device).filter((d): d is string => d !== undefined));
  let next = 0;
  return disks.map((disk) => {
    if (disk.device !== undefined) return disk.device;
    if (disk.type === 'system') return '/dev/xvda';
    while (next < DATA_DEVICES.length && taken.has(`/dev/xvd${DATA_DEVICES[next]}`)) next += 1;
    const device = `/dev/xvd${DATA_DEVICES[next] ?? 'z'}`;
    taken.add(device);
    return device;
  });
};

