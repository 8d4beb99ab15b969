import { activeTaskOfImage } from '../copy-scheduler';
import { SimImageStatus } from '../model';
import { booleanParam, required } from '../params';
import { SimApiError, imageNotFound, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

/**
 * A missing image is ignored, as documented. Refused: an image in a running copy (cancel it
 * instead), one still being created, one shared with other accounts (unshare first; Force does not
 * override this), and one instances were launched from unless Force. The image's snapshots stay
 * unless the legacy `imageSnapshotsOnDelete: withImage` quirk is on.
 */
export const deleteImage: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  const force = booleanParam(params, 'Force') ?? false;
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const image = state.findImage(region, imageId);
  if (!image) {
    if (state.quirks.deleteMissingImage === 'notFound') throw imageNotFound();
    return {};
  }
  if (activeTaskOfImage(state, image.id)) {
    throw new SimApiError(403, 'OperationDenied.ImageCopying', 'The image is being copied and cannot be deleted; use CancelCopyImage.');
  }
  if (image.status === SimImageStatus.Creating) {
    throw new SimApiError(403, 'ImageIsCreating', 'The specified image is being created and cannot be deleted.');
  }
  if (image.sharedWith.length > 0) {
    throw new SimApiError(403, 'ImageUseShared', 'The image has been shared to other accounts; use DescribeImageSharePermission to query the users and ModifyImageSharePermission to unshare it.');
  }
  if (!force && state.instancesUsing(image).length > 0) {
    throw new SimApiError(403, 'ImageUsingByInstance', 'The image is being used by instances; use DescribeInstances to find them, or set Force to true.');
  }
  state.removeImage(image.id, state.quirks.imageSnapshotsOnDelete ?? 'withImage');
  return {};
};
