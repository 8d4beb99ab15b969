import type { ActionHandler } from './action';
import { cancelCopyImage } from './cancel-copy-image';
import { copyImage } from './copy-image';
import { copySnapshot } from './copy-snapshot';
import { createImage } from './create-image';
import { deleteImage } from './delete-image';
import { deleteSnapshot } from './delete-snapshot';
import { describeImageSharePermission } from './describe-image-share-permission';
import { describeImages } from './describe-images';
import { describeInstances } from './describe-instances';
import { describeRegions } from './describe-regions';
import { describeSnapshots } from './describe-snapshots';
import { modifyImageAttribute } from './modify-image-attribute';
import { modifyImageSharePermission } from './modify-image-share-permission';
import { tagResources, untagResources } from './tag-resources';

export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeImages: describeImages,
  CopyImage: copyImage,
  CancelCopyImage: cancelCopyImage,
  DeleteImage: deleteImage,
  DescribeRegions: describeRegions,
  CopySnapshot: copySnapshot,
  DescribeSnapshots: describeSnapshots,
  CreateImage: createImage,
  DeleteSnapshot: deleteSnapshot,
  ModifyImageSharePermission: modifyImageSharePermission,
  DescribeImageSharePermission: describeImageSharePermission,
  DescribeInstances: describeInstances,
  ModifyImageAttribute: modifyImageAttribute,
  TagResources: tagResources,
  UntagResources: untagResources,
};
