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
import { describeLaunchTemplateVersions } from './describe-launch-template-versions';
import { describeLaunchTemplates } from './describe-launch-templates';
import { describeRegions } from './describe-regions';
import { describeScalingConfigurations } from './describe-scaling-configurations';
import { describeSnapshots } from './describe-snapshots';
import { modifyImageAttribute } from './modify-image-attribute';
import { modifyImageSharePermission } from './modify-image-share-permission';
import { tagResources, untagResources } from './tag-resources';

/** ECS's actions (version 2014-05-26). */
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
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  ModifyImageAttribute: modifyImageAttribute,
  TagResources: tagResources,
  UntagResources: untagResources,
};

/** Auto Scaling's (ESS, version 2014-08-28): only what tells whether a configuration launches an image. */
export const ESS_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeScalingConfigurations: describeScalingConfigurations,
};

export const ECS_API_VERSION = '2014-05-26';
export const ESS_API_VERSION = '2014-08-28';

/** The simulator answers both products at one endpoint; the request's version says which. */
export const ACTIONS_BY_VERSION: Readonly<Record<string, Readonly<Record<string, ActionHandler>>>> = {
  [ECS_API_VERSION]: ACTIONS,
  [ESS_API_VERSION]: ESS_ACTIONS,
};
