/** The simulator's records. Times are epoch milliseconds of the simulator clock. */

export const SimImageStatus = {
  Creating: 'Creating',
  Waiting: 'Waiting',
  Available: 'Available',
  UnAvailable: 'UnAvailable',
  CreateFailed: 'CreateFailed',
  Deprecated: 'Deprecated',
} as const;
export type SimImageStatus = (typeof SimImageStatus)[keyof typeof SimImageStatus];
export const SIM_IMAGE_STATUSES: readonly SimImageStatus[] = Object.values(SimImageStatus);

export const OWNER_ALIASES = ['self', 'system', 'others', 'marketplace'] as const;
export type OwnerAlias = (typeof OWNER_ALIASES)[number];

export const ARCHITECTURES = ['i386', 'x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const BOOT_MODES = ['BIOS', 'UEFI', 'UEFI-Preferred'] as const;
export type BootMode = (typeof BOOT_MODES)[number];

/** The distributions CreateImage accepts for Platform (its default is `Others Linux`). */
export const PLATFORMS = [
  'Aliyun', 'Anolis', 'CentOS', 'Ubuntu', 'CoreOS', 'SUSE', 'Debian', 'OpenSUSE', 'FreeBSD', 'RedHat', 'Kylin', 'UOS',
  'Fedora', 'Fedora CoreOS', 'CentOS Stream', 'AlmaLinux', 'Rocky Linux', 'Gentoo', 'Customized Linux', 'Others Linux',
  'Windows Server 2022', 'Windows Server 2019', 'Windows Server 2016', 'Windows Server 2012', 'Windows Server 2008', 'Windows Server 2003',
] as const;

export const DISK_TYPES = ['system', 'data'] as const;
export type DiskType = (typeof DISK_TYPES)[number];

export const SNAPSHOT_STATUSES = ['progressing', 'accomplished', 'failed'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export type TagList = Array<[string, string]>;

export interface SimRegion {
  readonly id: string;
  readonly localName: string;
}

export interface SimDisk {
  readonly device: string;
  readonly type: DiskType;
  readonly sizeGiB: number;
  readonly snapshotId: string;
}

/** What an image was made from: a platform and a boot contract that the snapshot route must carry over. */
export interface ImageTraits {
  readonly platform: string;
  readonly architecture: Architecture;
  bootMode: BootMode;
  readonly osType: 'linux' | 'windows';
}

export interface ImageShare {
  readonly accountId: string;
  readonly sharedAt: number;
}

export interface SimImage extends ImageTraits {
  readonly id: string;
  readonly region: string;
  name: string;
  description: string;
  /** GiB over all disks: what CopyImage's size limit and copy time go by. */
  readonly sizeGiB: number;
  status: SimImageStatus;
  tags: TagList;
  readonly createdAt: number;
  readonly ownerAlias: OwnerAlias;
  isCopied: boolean;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string | undefined;
  readonly resourceGroupId: string;
  readonly disks: readonly SimDisk[];
  imageFamily: string;
  /** Accounts the image is shared with, in the order they were added. */
  sharedWith: ImageShare[];
  /** Set on images made by CopyImage, also after the copy finished. */
  readonly copyTaskId?: string | undefined;
  /** Set on images made by CreateImage: when the Creating image becomes Available. */
  readonly readyAt?: number | undefined;
}

/** A snapshot transfer started by CopySnapshot; the snapshot is `progressing` until `endsAt`. */
export interface SnapshotCopy {
  readonly sourceSnapshotId: string;
  readonly sourceRegion: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** When it will finish, or fail part-way when `fails`. */
  readonly endsAt: number;
  readonly fails: boolean;
}

export interface SimSnapshot {
  readonly id: string;
  readonly region: string;
  readonly sizeGiB: number;
  /** The image the snapshot was made for (seeded or copied images); it goes with that image. */
  readonly imageId?: string | undefined;
  readonly diskType: DiskType;
  name: string;
  readonly description: string;
  readonly createdAt: number;
  status: SnapshotStatus;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string | undefined;
  tags: TagList;
  readonly retentionDays?: number | undefined;
  readonly copy?: SnapshotCopy | undefined;
  /** Disks somebody made from the snapshot: DeleteSnapshot refuses it (SnapshotCreatedDisk) unless forced. */
  disksMade?: number | undefined;
}

/** A launch template: each version may name an image, which RunInstances or a scaling group then launches. */
export interface SimLaunchTemplate {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly versions: ReadonlyArray<{ readonly number: number; readonly imageId?: string | undefined }>;
  readonly createdAt: number;
}

/** An Auto Scaling (ESS) configuration: the image its group's scale-outs launch. */
export interface SimScalingConfiguration {
  readonly id: string;
  readonly region: string;
  readonly groupId: string;
  readonly imageId?: string | undefined;
  readonly lifecycle: 'Active' | 'Inactive';
  readonly createdAt: number;
}

export interface SimInstance {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly imageId: string;
  readonly status: 'Running' | 'Stopped';
  readonly createdAt: number;
}

export const CopyTaskStatus = {
  Waiting: 'waiting',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type CopyTaskStatus = (typeof CopyTaskStatus)[keyof typeof CopyTaskStatus];

export interface CopyTask {
  readonly id: string;
  /** FIFO order among the waiting tasks of one source region. */
  readonly seq: number;
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  /** The image the copied image was itself copied from, and so on: the original (a copy of a copy is a copy of it). */
  readonly originImageId?: string | undefined;
  readonly destinationRegion: string;
  readonly destinationImageId: string;
  readonly sizeGiB: number;
  readonly enqueuedAt: number;
  /** How long the transfer takes once running. */
  readonly durationMs: number;
  /** Decided when the copy is accepted; a failing copy stops part-way through. */
  readonly failsAtFraction?: number | undefined;
  status: CopyTaskStatus;
  startedAt?: number | undefined;
  /** When it will finish (or fail), once running. */
  endsAt?: number | undefined;
  finishedAt?: number | undefined;
}

/** A measured link between two regions; used in either direction unless the other one is declared too. */
export interface RegionPairBandwidth {
  readonly from: string;
  readonly to: string;
  readonly bandwidthMiBps: number;
}

export interface CopySettings {
  readonly bandwidthMiBps: number;
  readonly overheadSeconds: number;
  readonly maxConcurrentPerSourceRegion: number;
  /** Images per region beyond which CopyImage answers QuotaExceed.Image; unlimited when absent. */
  readonly imageQuotaPerRegion?: number | undefined;
  readonly pairs?: readonly RegionPairBandwidth[] | undefined;
}

/** How long CreateImage keeps a new image Creating (not documented; a constant is the honest model). */
export interface ImageCreationSettings {
  readonly durationSeconds: number;
}

export interface SimCredentialSet {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Present for STS credential sets: requests must carry exactly this token. */
  readonly securityToken?: string | undefined;
}

/** The account the simulator plays, and which other accounts exist to share with. */
export interface SimAccounts {
  readonly accountId: string;
  /** When given, sharing to any other account answers InvalidAccount.NotFound; otherwise any numeric id exists. */
  readonly otherAccounts?: readonly string[] | undefined;
}

export interface SimQuirks {
  readonly deleteMissingImage: 'ignore' | 'notFound';
  readonly deleteMissingSnapshot?: 'ignore' | 'notFound' | undefined;
  /**
   * What DeleteImage does to the snapshots made for the image (seeded and copied images). The
   * documented behaviour is `keep` (they stay, billed, until DeleteSnapshot); `withImage` is the
   * simulator's original default, kept so existing tests see no change.
   */
  readonly imageSnapshotsOnDelete?: 'withImage' | 'keep' | undefined;
}

export const bandwidthBetween = (settings: CopySettings, from?: string, to?: string): number => {
  const pairs = settings.pairs ?? [];
  const exact = pairs.find((p) => p.from === from && p.to === to);
  const reverse = pairs.find((p) => p.from === to && p.to === from);
  return (exact ?? reverse)?.bandwidthMiBps ?? settings.bandwidthMiBps;
};

/** Overhead plus transfer at the bandwidth of the region pair (the default bandwidth when no pair is declared). */
export const copyDurationMs = (sizeGiB: number, settings: CopySettings, from?: string, to?: string): number =>
  Math.round((settings.overheadSeconds + (sizeGiB * 1024) / bandwidthBetween(settings, from, to)) * 1000);

export const isActiveTask = (task: CopyTask): boolean =>
  task.status === CopyTaskStatus.Waiting || task.status === CopyTaskStatus.Running;

export const osTypeOf = (platform: string): 'linux' | 'windows' => (/^windows/i.test(platform) ? 'windows' : 'linux');
