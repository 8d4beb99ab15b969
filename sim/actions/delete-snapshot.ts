import { booleanParam, optional, required } from '../params';
import { SimApiError, regionNotFound, snapshotNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

/**
 * Images go first: a snapshot any image is made from (whatever the image's status) answers
 * SnapshotCreatedImage, Force or not. One a disk was made from answers SnapshotCreatedDisk unless
 * Force is true. A missing snapshot is ignored, as documented; deleting a snapshot that is still
 * being copied cancels the copy. RegionId is optional (the API takes none).
 */
export const deleteSnapshot: ActionHandler = ({ state, params }) => {
  const snapshotId = required(params, 'SnapshotId');
  const force = booleanParam(params, 'Force') === true;
  const region = optional(params, 'RegionId');
  if (region !== undefined && !state.hasRegion(region)) throw regionNotFound(region);
  const snapshot = region === undefined ? state.snapshots.get(snapshotId) : state.findSnapshot(region, snapshotId);
  if (!snapshot) {
    if (state.quirks.deleteMissingSnapshot === 'notFound') throw snapshotNotFound();
    return {};
  }
  if (state.imagesUsingSnapshot(snapshot.id).length > 0) {
    throw new SimApiError(403, 'SnapshotCreatedImage', 'The snapshot has been used to create user defined image(s).');
  }
  if ((snapshot.disksMade ?? 0) > 0 && !force) {
    throw new SimApiError(403, 'SnapshotCreatedDisk', 'The snapshot has been used to create disks.');
  }
  state.removeSnapshot(snapshot.id);
  return {};
};
