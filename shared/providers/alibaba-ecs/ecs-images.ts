import type { CloudImage } from '../../core/domain/image';
import type { ImageQuery } from '../../core/ports/copy-provider';

export type { ImageQuery };

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
 * The four ECS image calls a one-step copy needs, as the Alibaba copy provider uses them. Errors
 * come out as ReplicationError with ECS's code and `retryable` set; the copy provider translates
 * them into the core's outcomes.
 */
export interface EcsImages {
  /** All pages. */
  listImages(region: string, query: ImageQuery): Promise<CloudImage[]>;
  /** Starts an asynchronous copy; answers the id the copy has in the destination region. */
  copyImage(command: CopyImageCommand): Promise<{ readonly imageId: string }>;
  /** Stops a running copy and removes the partial image. */
  cancelCopy(region: string, imageId: string): Promise<void>;
  /** Removes an image; an image that does not exist is not an error. */
  deleteImage(region: string, imageId: string): Promise<void>;
}
