import type { ActionHandler } from './action';
import { cancelCopyImage } from './cancel-copy-image';
import { copyImage } from './copy-image';
import { deleteImage } from './delete-image';
import { describeImages } from './describe-images';
import { describeRegions } from './describe-regions';

export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeImages: describeImages,
  CopyImage: copyImage,
  CancelCopyImage: cancelCopyImage,
  DeleteImage: deleteImage,
  DescribeRegions: describeRegions,
};
