import { addMembers } from './add-members';
import { crossRegionCopy } from './cross-region-copy';
import { deleteMembers } from './delete-members';
import { deleteImage } from './delete-image';
import { listImages } from './list-images';
import { listMembers } from './list-members';
import { listScalingConfigs } from './list-scaling-configs';
import { listServers } from './list-servers';
import type { Route } from './route';
import { showJob } from './show-job';
import { tagsAction } from './tags-action';

export const ROUTES: readonly Route[] = [listImages, crossRegionCopy, showJob, deleteImage, tagsAction, addMembers, deleteMembers, listMembers, listServers, listScalingConfigs];

export type { Route, RouteAnswer, RouteContext } from './route';
