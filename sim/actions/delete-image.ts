import { activeTaskOfImage } from '../copy-scheduler';
import { booleanParam, required } from '../params';
import { SimApiError, imageNotFound, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

/** A missing image is ignored, as documented; an image in a running copy must be cancelled instead. */
export const deleteImage: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  booleanParam(params, 'Force');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const image = state.findImage(region, imageId);
  if (!image) {
    if (state.quirks.deleteMissingImage === 'notFound') throw imageNotFound();
    return {};
  }
  if (activeTaskOfImage(state, image.id)) {
    throw new SimApiError(403, 'OperationDenied.ImageCopying', 'The image is being copied and cannot be deleted; use CancelCopyImage.');
  }
  state.removeImage(image.id);
  return {};
};
