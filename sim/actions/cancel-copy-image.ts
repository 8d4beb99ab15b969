import { cancelTask } from '../copy-scheduler';
import { CopyTaskStatus } from '../model';
import { required } from '../params';
import { SimApiError, imageNotFound, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';

/** RegionId is the destination region; ImageId is the copy, not its source. */
export const cancelCopyImage: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const image = state.findImage(region, imageId);
  if (!image) throw imageNotFound();
  const task = image.copyTaskId === undefined ? undefined : state.tasks.get(image.copyTaskId);
  if (!task) {
    if (image.isCopied) throw new SimApiError(400, 'IncorrectImageStatus', 'The image is copied finished.');
    throw new SimApiError(400, 'ImageCreatedNotFromCopy', 'The specified image is not created from a copy.');
  }
  switch (task.status) {
    case CopyTaskStatus.Succeeded:
      throw new SimApiError(400, 'IncorrectImageStatus', 'The image is copied finished.');
    case CopyTaskStatus.Failed:
      throw new SimApiError(400, 'IncorrectImageStatus', 'The Image copy has been failed.');
    case CopyTaskStatus.Cancelled:
      throw imageNotFound();
    default:
      cancelTask(state, task);
      return {};
  }
};
