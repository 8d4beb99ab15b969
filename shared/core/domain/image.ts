/**
 * A provider-neutral view of a machine image. Adapters translate their provider's states and
 * shapes into this; the domain never sees a provider's own image or job states.
 */
export const ImageState = {
  /** Being created or copied (Alibaba: Creating, Waiting). */
  Pending: 'pending',
  Available: 'available',
  /** Creation or copy failed. */
  Failed: 'failed',
  /** Exists but cannot be used (Alibaba: UnAvailable, Deprecated). */
  Unavailable: 'unavailable',
} as const;
export type ImageState = (typeof ImageState)[keyof typeof ImageState];

export const ALL_IMAGE_STATES: readonly ImageState[] = Object.values(ImageState);

export interface CloudImage {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly state: ImageState;
  /** 0–100; only meaningful while pending. */
  readonly progressPercent?: number | undefined;
  readonly sizeGiB: number;
  readonly tags: Readonly<Record<string, string>>;
  /** ISO-8601 UTC. */
  readonly createdAt?: string | undefined;
  readonly encrypted?: boolean | undefined;
  /** The image family ("latest of a family" resolves to its newest image), where the provider has families. */
  readonly family?: string | undefined;
}

/**
 * Tags the product puts on every copy so that a copy whose start answer was lost can be
 * found again, and so that the sweep can tell our copies from anybody else's.
 */
export const ReplicaTag = {
  Managed: 'image-replicator:managed',
  SourceImage: 'image-replicator:source-image',
  SourceRegion: 'image-replicator:source-region',
  Job: 'image-replicator:job',
} as const;
