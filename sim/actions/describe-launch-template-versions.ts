import { pageOf, pageParams } from '../paging';
import { booleanParam, optional, required } from '../params';
import { SimApiError, missingParameter, regionNotFound } from '../sim-errors';
import type { ActionHandler } from './action';
import { MAX_TEMPLATE_PAGE_SIZE } from './describe-launch-templates';

/**
 * One template's versions, a page at a time. The template is required (by id or name), as the API
 * documents; with DetailFlag (the default) each version carries its LaunchTemplateData, whose
 * ImageId is what a launch from that version would boot.
 */
export const describeLaunchTemplateVersions: ActionHandler = ({ state, params }) => {
  const region = required(params, 'RegionId');
  if (!state.hasRegion(region)) throw regionNotFound(region);
  const id = optional(params, 'LaunchTemplateId');
  const name = optional(params, 'LaunchTemplateName');
  if (id === undefined && name === undefined) throw missingParameter('LaunchTemplateId');
  const template = [...state.launchTemplates.values()].find((candidate) => candidate.region === region && (id === undefined || candidate.id === id) && (name === undefined || candidate.name === name));
  if (template === undefined) throw new SimApiError(404, 'InvalidLaunchTemplate.NotFound', 'The specified launch template does not exist.');
  const detail = booleanParam(params, 'DetailFlag') ?? true;
  const page = pageParams(params);
  if (page.size > MAX_TEMPLATE_PAGE_SIZE) throw new SimApiError(400, 'InvalidPageSize.Malformed', `PageSize must be at most ${MAX_TEMPLATE_PAGE_SIZE}.`);
  return {
    TotalCount: template.versions.length,
    PageNumber: page.number,
    PageSize: page.size,
    LaunchTemplateVersionSets: {
      LaunchTemplateVersionSet: pageOf(template.versions, page).map((version) => ({
        LaunchTemplateId: template.id,
        LaunchTemplateName: template.name,
        VersionNumber: version.number,
        DefaultVersion: version.number === 1,
        ...(detail ? { LaunchTemplateData: version.imageId === undefined ? {} : { ImageId: version.imageId } } : {}),
      })),
    },
  };
};
