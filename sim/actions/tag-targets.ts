import type { TagList } from '../model';
import { type Params, required, scalarList } from '../params';
import { SimApiError, missingParameter, regionNotFound } from '../sim-errors';
import type { SimState } from '../state';

/** The resource types the simulator holds; the API's other types (instance, disk, …) answer as unknown. */
const SIMULATED_TYPES = ['image', 'snapshot'] as const;
const MAX_RESOURCES = 50;
export const MAX_TAGS_PER_RESOURCE = 20;

export interface Taggable {
  readonly id: string;
  tags: TagList;
}

/** RegionId, ResourceType and ResourceId.N (1–50) resolved to the resources, all of which must exist. */
export const tagTargets = (state: SimState, params: Params): Taggable[] => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const type = params.ResourceType;
  if (type === undefined || type === '') throw new SimApiError(404, 'MissingParameter.ResourceType', 'The parameter - ResourceType should not be null');
  if (!(SIMULATED_TYPES as readonly string[]).includes(type)) {
    throw new SimApiError(404, 'InvalidResourceType.NotFound', 'The ResourceType provided does not exist in our records.');
  }
  const ids = scalarList(params, 'ResourceId', MAX_RESOURCES, 'NumberExceed.ResourceIds');
  if (ids.length === 0) throw missingParameter('ResourceId.N');
  return ids.map((id) => {
    const image = type === 'image' ? state.findImage(region, id) : undefined;
    const found = type === 'image' ? (image?.ownerAlias === 'self' ? image : undefined) : state.findSnapshot(region, id);
    if (!found) throw new SimApiError(404, 'InvalidResourceId.NotFound', 'The specified ResourceIds are not found in our records.');
    return found;
  });
};
