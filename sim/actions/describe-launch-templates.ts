import type { SimLaunchTemplate } from '../model';
import { pageOf, pageParams } from '../paging';
import { required, scalarList } from '../params';
import { regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { apiTime } from './image-view';

const MAX_IDS = 100;

const templateView = (template: SimLaunchTemplate): Record<string, unknown> => ({
  LaunchTemplateId: template.id,
  LaunchTemplateName: template.name,
  DefaultVersionNumber: 1,
  LatestVersionNumber: template.versions.length,
  CreateTime: apiTime(template.createdAt),
});

/** The region's launch templates (by id when asked), a page at a time. */
export const describeLaunchTemplates: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const ids = scalarList(params, 'LaunchTemplateId', MAX_IDS, 'InvalidLaunchTemplateId.Malformed');
  const found = [...state.launchTemplates.values()]
    .filter((template) => template.region === region && (ids.length === 0 || ids.includes(template.id)))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const page = pageParams(params);
  return {
    TotalCount: found.length,
    PageNumber: page.number,
    PageSize: page.size,
    LaunchTemplateSets: { LaunchTemplateSet: pageOf(found, page).map(templateView) },
  };
};
