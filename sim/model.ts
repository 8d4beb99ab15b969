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

export interface SimRegion {
  readonly id: string;
  readonly localName: string;
}

export interface SimDisk {
  readonly device: string;
  readonly type: 'system' | 'data';
  readonly sizeGiB: number;
  readonly snapshotId: string;
}

export interface SimImage {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly description: string;
  readonly sizeGiB: number;
  status: SimImageStatus;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly createdAt: number;
  readonly ownerAlias: OwnerAlias;
  isCopied: boolean;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string | undefined;
  readonly resourceGroupId: string;
  readonly disks: readonly SimDisk[];
  /** Set on images made by CopyImage, also after the copy finished. */
  readonly copyTaskId?: string | undefined;
}

export interface SimSnapshot {
  readonly id: string;
  readonly region: string;
  readonly sizeGiB: number;
  /** The image the snapshot backs. */
  readonly imageId: string;
  readonly createdAt: number;
  status: 'progressing' | 'accomplished';
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

export interface CopySettings {
  readonly bandwidthMiBps: number;
  readonly overheadSeconds: number;
  readonly maxConcurrentPerSourceRegion: number;
  /** Images per region beyond which CopyImage answers QuotaExceed.Image; unlimited when absent. */
  readonly imageQuotaPerRegion?: number | undefined;
}

export interface SimCredentialSet {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Present for STS credential sets: requests must carry exactly this token. */
  readonly securityToken?: string | undefined;
}

export interface SimQuirks {
  readonly deleteMissingImage: 'ignore' | 'notFound';
}

export const copyDurationMs = (sizeGiB: number, settings: CopySettings): number =>
  Math.round((settings.overheadSeconds + (sizeGiB * 1024) / settings.bandwidthMiBps) * 1000);

export const isActiveTask = (task: CopyTask): boolean =>
  task.status === CopyTaskStatus.Waiting || task.status === CopyTaskStatus.Running;
