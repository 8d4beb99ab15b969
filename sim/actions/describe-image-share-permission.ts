import { pageOf, pageParams } from '../paging';
import { required } from '../params';
import { imageNotFound, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { apiTime } from './image-view';

/** The accounts an image is shared with, oldest share first, paged like DescribeImages. */
export const describeImageSharePermission: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  const imageId = required(params, 'ImageId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const image = state.findImage(region, imageId);
  if (!image) throw imageNotFound();
  const page = pageParams(params);
  return {
    RegionId: region,
    ImageId: image.id,
    PageNumber: page.number,
    PageSize: page.size,
    TotalCount: image.sharedWith.length,
    Accounts: { Account: pageOf(image.sharedWith, page).map((share) => ({ AliyunId: share.accountId, SharedTime: apiTime(share.sharedAt) })) },
    ShareGroups: { ShareGroup: [] },
  };
};
