import type { SimInstance } from '../model';
import { pagedAnswer } from '../paging';
import { jsonIdList, optional, required } from '../params';
import { regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { apiTime } from './image-view';

const MAX_IDS = 100;

const instanceView = (instance: SimInstance): Record<string, unknown> => ({
  InstanceId: instance.id,
  InstanceName: instance.name,
  RegionId: instance.region,
  ImageId: instance.imageId,
  Status: instance.status,
  CreationTime: apiTime(instance.createdAt),
});

/** The seeded instances of a region, filtered by ImageId: who still runs an image. */
export const describeInstances: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const imageId = optional(params, 'ImageId');
  const ids = jsonIdList(params, 'InstanceIds', MAX_IDS, 'InvalidInstanceIds.Malformed');
  const status = optional(params, 'Status');
  const found = [...state.instances.values()]
    .filter(
      (instance) =>
        instance.region === region &&
        (imageId === undefined || instance.imageId === imageId) &&
        (ids === undefined || ids.includes(instance.id)) &&
        (status === undefined || instance.status === status),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const { slice, fields } = pagedAnswer(params, found);
  return { ...fields, Instances: { Instance: slice.map(instanceView) } };
};
