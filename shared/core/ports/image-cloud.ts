import type { CloudImage, ImageState } from '../domain/image';

/** Which images to list. Every filter given must match. */
export interface ImageQuery {
  readonly imageId?: string | undefined;
  /** Exact tag matches (all of them). */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** States to include. Providers that hide non-available images by default must be told explicitly. */
  readonly states: readonly ImageState[];
  /** Only the account's own custom images. */
  readonly ownedBySelf?: boolean | undefined;
  /** Only images created at or after this instant (minute precision is enough). */
  readonly createdSince?: Date | undefined;
}

export interface CopyImageCommand {
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly encrypted?: boolean | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Same token, same copy: the provider answers a retried call with the copy it already made. */
  readonly idempotencyToken: string;
}

/**
 * What the workflow needs from an image service. Shaped by our use cases, not by one provider's
 * API; errors come out as ReplicationError with the provider's code and `retryable` set.
 */
export interface ImageCloud {
  /** All pages. */
  listImages(region: string, query: ImageQuery): Promise<CloudImage[]>;
  /** Starts an asynchronous copy; answers the id the copy has in the destination region. */
  copyImage(command: CopyImageCommand): Promise<{ readonly imageId: string }>;
  /** Stops a running copy and removes the partial image. */
  cancelCopy(region: string, imageId: string): Promise<void>;
  /** Removes an image; an image that does not exist is not an error. */
  deleteImage(region: string, imageId: string): Promise<void>;
}
