import { PartialDeletionError, errorCode, errorMessage, isRetryable } from '../../core/domain/errors';
import type { LeftBehind } from '../../core/ports/copy-provider';
import type { EcsExtras } from './ecs-extras';

/**
 * ECS's refusal to delete a snapshot that is somebody else's business, which no retry changes: a
 * disk was made from it (deleting needs Force, and would leave that disk, which is somebody's,
 * unable to re-initialise). `SnapshotCreatedImage` is not one: right after our own DeleteImage it
 * may only mean ECS has not let go of the image yet, so it is tried again rather than given up.
 */
const KEPT_BY_ECS = new Set(['SnapshotCreatedDisk']);

/**
 * Deletes the snapshots of a copy whose image is gone (or never was), one by one. A snapshot ECS
 * keeps for somebody else (KEPT_BY_ECS) is left behind, answered, and the others still go: the copy
 * is gone either way, and the caller records what stays billed. Any other failure (throttling, an
 * outage, a missing permission, a snapshot still held by an image) throws CopyPartlyDeleted,
 * retryable or not as the failure was, so the deletion is tried again with the same handle rather
 * than recorded as done.
 */
export const deleteSnapshots = async (extras: Pick<EcsExtras, 'deleteSnapshot'>, region: string, snapshots: readonly string[]): Promise<LeftBehind[]> => {
  const left: LeftBehind[] = [];
  for (const [index, snapshot] of snapshots.entries()) {
    try {
      await extras.deleteSnapshot(region, snapshot);
    } catch (error) {
      if (!isRetryable(error) && KEPT_BY_ECS.has(errorCode(error))) {
        left.push({ id: snapshot, why: errorMessage(error) });
        continue;
      }
      throw new PartialDeletionError(`the copy has no image left in ${region}, and its snapshot ${snapshot} is not deleted yet: ${errorMessage(error)}`, {
        retryable: isRetryable(error),
        remaining: [...left.map((part) => part.id), ...snapshots.slice(index)],
        cause: error,
        details: { region, snapshot, code: errorCode(error) },
      });
    }
  }
  return left;
};
