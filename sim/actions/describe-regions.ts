import type { ActionHandler } from './action';

export const describeRegions: ActionHandler = ({ state }) => ({
  Regions: {
    Region: [...state.regions.values()].map((region) => ({
      RegionId: region.id,
      LocalName: region.localName,
      RegionEndpoint: `ecs.${region.id}.aliyuncs.com`,
      Status: 'available',
    })),
  },
});
