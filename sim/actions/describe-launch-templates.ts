import type { SimLaunchTemplate } from '../model';
import { pageOf, pageParams } from '../paging';
import { required, scalarList } from '../params';
import { SimApiError, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { apiTime } from './image-view';

const MAX_IDS = 100;
/** The template calls page at most 50. */
export const MAX_TEMPLATE_PAGE_SIZE = 50;

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
  if (page.size > MAX_TEMPLATE_PAGE_SIZE) throw new SimApiError(400, 'InvalidPageSize.Malformed', `PageSize must be at most ${MAX_TEMPLATE_PAGE_SIZE}.`);
  return {
    TotalCount: found.length,
    PageNumber: page.number,
    PageSize: page.size,
    LaunchTemplateSets: { LaunchTemplateSet: pageOf(found, page).map(templateView) },
  };
};
