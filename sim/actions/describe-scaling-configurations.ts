import type { SimScalingConfiguration } from '../model';
import { pageOf, pageParams } from '../paging';
import { optional, required } from '../params';
import { SimApiError, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { apiTime } from './image-view';

/** ESS documents 50 as the largest page. */
const MAX_PAGE_SIZE = 50;

const configurationView = (configuration: SimScalingConfiguration): Record<string, unknown> => ({
  ScalingConfigurationId: configuration.id,
  ScalingConfigurationName: configuration.id,
  ScalingGroupId: configuration.groupId,
  ...(configuration.imageId === undefined ? {} : { ImageId: configuration.imageId }),
  LifecycleState: configuration.lifecycle,
  CreationTime: apiTime(configuration.createdAt),
});

/**
 * Auto Scaling (ESS, version 2014-08-28): the region's scaling configurations, active and inactive,
 * of one group when asked. No image filter exists. An account that never activated Auto Scaling is
 * refused every call.
 */
export const describeScalingConfigurations: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  if (!state.autoScalingActivated) throw new SimApiError(403, 'Forbidden.Unsubscribed', 'Do not have permission to access this API.');
  const group = optional(params, 'ScalingGroupId');
  const page = pageParams(params);
  if (page.size > MAX_PAGE_SIZE) throw new SimApiError(400, 'InvalidParameter', `PageSize must be at most ${MAX_PAGE_SIZE}.`);
  const found = [...state.scalingConfigurations.values()]
    .filter((configuration) => configuration.region === region && (group === undefined || configuration.groupId === group))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return {
    TotalCount: found.length,
    PageNumber: page.number,
    PageSize: page.size,
    ScalingConfigurations: { ScalingConfiguration: pageOf(found, page).map(configurationView) },
  };
};
