/** IMS image statuses (IMS API reference, image attributes). */
export const ImsImageStatus = { Queued: 'queued', Saving: 'saving', Active: 'active', Killed: 'killed', Deleted: 'deleted' } as const;
export type ImsImageStatus = (typeof ImsImageStatus)[keyof typeof ImsImageStatus];
export const IMS_IMAGE_STATUSES: readonly ImsImageStatus[] = Object.values(ImsImageStatus);

export const ImsImageType = { Private: 'private', Gold: 'gold', Shared: 'shared', Market: 'market' } as const;
export type ImsImageType = (typeof ImsImageType)[keyof typeof ImsImageType];
export const IMS_IMAGE_TYPES: readonly ImsImageType[] = Object.values(ImsImageType);

export const ImsJobStatus = { Init: 'INIT', Running: 'RUNNING', Success: 'SUCCESS', Fail: 'FAIL' } as const;
export type ImsJobStatus = (typeof ImsJobStatus)[keyof typeof ImsJobStatus];

/** The job type IMS gives cross-region copies today (`imsCopyImageCrossUserJob` on older accounts). */
export const CROSS_REGION_JOB_TYPE = 'imsCrossRegionCopyImageJob';
export const SHARE_JOB_TYPE = 'imsBatchAddMembersJob';

export interface SimRegion {
  readonly id: string;
  /** The tenant's project in this region; its name is the region id. */
  readonly projectId: string;
}

/** A cloud server of the tenant (ECS), as far as the image it runs from: what tells an image in use. */
/** An AS configuration: the images its group's scale-outs launch (system disk, and data disks made from images). */
export interface SimScalingConfig {
  readonly id: string;
  readonly region: string;
  readonly groupId?: string | undefined;
  readonly imageRef?: string | undefined;
  readonly dataDiskImageIds: readonly string[];
  readonly createdAt: number;
}

export interface SimServer {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly imageId: string;
}

export interface SimImsImage {
  readonly id: string;
  readonly region: string;
  /** Owner project id. */
  readonly owner: string;
  name: string;
  description: string;
  status: ImsImageStatus;
  readonly imageType: ImsImageType;
  readonly sizeBytes: number;
  readonly minDiskGiB: number;
  /** Insertion-ordered, as IMS lists them. */
  readonly tags: Map<string, string>;
  /** Set on encrypted images. */
  readonly cmkId?: string | undefined;
  readonly osType: string;
  readonly platform: string;
  readonly createdAt: number;
  updatedAt: number;
  activeAt?: number | undefined;
  /** The image this one was copied from. */
  readonly originalImageId?: string | undefined;
  /** The job whose copy this is. */
  readonly copyJobId?: string | undefined;
  /** When DELETE was accepted: the image lingers as `deleted` for a while, then is gone. */
  deletedAt?: number | undefined;
  readonly members: Set<string>;
}

export interface SimJob {
  readonly id: string;
  readonly type: string;
  /** Where the job was submitted (ShowJob answers only there). */
  readonly region: string;
  readonly projectId: string;
  readonly submittedAt: number;
  status: ImsJobStatus;
  finishedAt?: number | undefined;
  errorCode?: string | undefined;
  failReason?: string | undefined;
  /** Cross-region copies only. */
  readonly copy?: SimCopy | undefined;
}

export interface SimCopy {
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly destinationImageId: string;
  readonly name: string;
  /** RUNNING from here on. */
  readonly startsAt: number;
  /** Full-copy duration, ms. */
  readonly durationMs: number;
  /** Set when the copy fails part-way: it ends FAIL after this fraction of its duration. */
  readonly failsAtFraction?: number | undefined;
  /** A stalled copy stays RUNNING forever at the progress it had. */
  stalledAt?: number | undefined;
}

/** Every image a copy ever made, kept after deletion: proof that no copy was made twice. */
export interface CopyRecord {
  readonly destinationRegion: string;
  readonly name: string;
  readonly imageId: string;
  readonly jobId: string;
  readonly sourceImageId: string;
  readonly createdAt: number;
}

export interface CopySettings {
  readonly bandwidthMiBps: number;
  readonly pairBandwidthMiBps: ReadonlyArray<{ readonly from: string; readonly to: string; readonly bandwidthMiBps: number }>;
  readonly overheadSeconds: number;
  readonly initSeconds: number;
  readonly maxRunningPerTenant: number;
  readonly sizeCapGiB: number;
  readonly largeSizeCapGiB: number;
  readonly largeCapRegions: readonly string[];
  readonly failureErrorCode: string;
  readonly stallProbability: number;
  /** Private images a region may hold; no limit when absent. */
  readonly imageQuotaPerRegion?: number | undefined;
}

export interface AgencySettings {
  /** The agency that exists; undefined: the tenant has created none. */
  readonly name?: string | undefined;
  /** Destination regions where it holds IMS Administrator; undefined: all. */
  readonly permittedRegions?: readonly string[] | undefined;
}

export interface SimQuirks {
  /** A failed copy's destination image: kept `killed` or removed. */
  readonly failedCopyImage: 'killed' | 'removed';
  /** Whether ShowJob names the destination image while the copy still runs (unverified either way). */
  readonly imageIdWhileRunning: boolean;
  /** How long a deleted image is still listed as `deleted`. */
  readonly deletedLingerSeconds: number;
}

const GIB = 1024 ** 3;
export const bytesOfGiB = (gib: number): number => Math.round(gib * GIB);

/** The size cap of a copy between two regions, GiB. */
export const copyCapGiB = (settings: CopySettings, from: string, to: string): number =>
  settings.largeCapRegions.includes(from) && settings.largeCapRegions.includes(to) ? settings.largeSizeCapGiB : settings.sizeCapGiB;

/** How long a copy runs: overhead plus size over the pair's bandwidth. */
export const copyDurationMs = (settings: CopySettings, from: string, to: string, sizeBytes: number): number => {
  const pair = settings.pairBandwidthMiBps.find((p) => p.from === from && p.to === to);
  const mibps = pair?.bandwidthMiBps ?? settings.bandwidthMiBps;
  return Math.round((settings.overheadSeconds + sizeBytes / (mibps * 1024 * 1024)) * 1000);
};
