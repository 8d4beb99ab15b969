import { errorMessage, isRetryable } from '../../core/domain/errors';
import type { LeftBehind } from '../../core/ports/copy-provider';
import type { EcsExtras } from './ecs-extras';

/**
 * Deletes the snapshots of a copy whose image is gone (or never was), one by one. ECS refuses a
 * snapshot a disk was made from (`SnapshotCreatedDisk`) unless forced, and forcing would leave that
 * disk, which is somebody's, unable to re-initialise; it refuses one another image was made from
 * (`SnapshotCreatedImage`). Such a refusal, or any other answer that a retry would not change,
 * leaves that snapshot behind and goes on with the others: the copy is gone either way, and the
 * caller records what stays billed. A throttled or failing service throws, and the deletion is
 * tried again with the same handle.
 */
export const deleteSnapshots = async (extras: Pick<EcsExtras, 'deleteSnapshot'>, region: string, snapshots: readonly string[]): Promise<LeftBehind[]> => {
  const left: LeftBehind[] = [];
  for (const snapshot of snapshots) {
    try {
      await extras.deleteSnapshot(region, snapshot);
    } catch (error) {
      if (isRetryable(error)) throw error;
      left.push({ id: snapshot, why: errorMessage(error) });
    }
  }
  return left;
};
