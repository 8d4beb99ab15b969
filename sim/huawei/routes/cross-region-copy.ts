import { runningCopies, submitCopy } from '../copy-jobs';
import { badRequest, imageNotFound, imsError } from '../errors';
import { ImsImageStatus, ImsImageType, copyCapGiB } from '../model';
import { type Route, isRecord } from './route';

/** Image names: 1–128 of letters, digits, `-._`, space and CJK, no space at either end. */
const NAME = /^(?! )[A-Za-z0-9\-._ \u4e00-\u9fff]{1,128}(?<! )$/;
const GIB = 1024 ** 3;

const text = (body: Record<string, unknown>, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string.`);
  return value;
};

/**
 * POST /v1/cloudimages/{image_id}/cross_region_copy, on the source region. Checked in the order a
 * caller meets them; no client token, so a repeated call makes a second copy.
 */
export const crossRegionCopy: Route = {
  action: 'CopyImageCrossRegion',
  method: 'POST',
  pattern: /^\/v1\/cloudimages\/(?<imageId>[^/]+)\/cross_region_copy$/,
  handle(context) {
    const { state } = context;
    if (context.body === undefined) throw imsError(400, 'IMG.0007', 'The request body is empty.');
    if (!isRecord(context.body)) throw badRequest();
    const body = context.body;
    const name = text(body, 'name');
    const description = text(body, 'description') ?? '';
    const region = text(body, 'region');
    const projectName = text(body, 'project_name');
    const agencyName = text(body, 'agency_name');
    if (name === undefined || name === '') throw imsError(400, 'IMG.0013', 'The image name is not specified.');
    if (name.length > 128) throw imsError(400, 'IMG.0002', 'The image name contains more than 128 characters.');
    if (!NAME.test(name)) throw imsError(400, 'IMG.0003', 'The image name format is invalid.');
    if (description.length > 1024) throw imsError(400, 'IMG.0004', 'The description contains more than 1024 characters.');
    if (/[\r\n<>]/.test(description)) throw imsError(400, 'IMG.0054', 'The image description format is invalid.');
    if (region === undefined || !state.regions.has(region)) throw imsError(400, 'IMG.0147', 'The entered region information is incorrect.');
    if (projectName === undefined || projectName !== region) throw imsError(400, 'IMG.0145', 'The project name is incorrect.');
    if (agencyName === undefined || agencyName === '') throw badRequest('agency_name is mandatory.');

    const source = state.images.get(context.params.imageId ?? '');
    if (source === undefined || source.region !== context.region || source.owner !== context.projectId || source.deletedAt !== undefined) throw imageNotFound();
    if (source.imageType !== ImsImageType.Private) throw imsError(400, 'IMG.0105', 'The operation is not supported.');
    if (source.status !== ImsImageStatus.Active) throw imsError(400, 'IMG.0046', 'The image is unavailable.');
    if (region === context.region) throw imsError(400, 'IMG.0142', 'Replication must be performed across regions.');
    if (source.cmkId !== undefined) throw imsError(400, 'IMG.0143', 'An encrypted image cannot be replicated cross regions.');
    if (source.sizeBytes > copyCapGiB(state.copySettings, context.region, region) * GIB) {
      throw imsError(400, 'IMG.0146', 'The size of the image to be replicated across regions exceeds the upper limit.');
    }
    const { agency } = state;
    if (agency.name === undefined || agency.name !== agencyName || (agency.permittedRegions !== undefined && !agency.permittedRegions.includes(region))) {
      throw imsError(400, 'IMG.0151', 'The agency does not have the needed permissions to perform this operation on the target project.');
    }
    const quota = state.copySettings.imageQuotaPerRegion;
    if (quota !== undefined && state.imagesIn(region).filter((image) => image.owner === state.projectOf(region) && image.deletedAt === undefined).length >= quota) {
      // The code the product reads as a quota refusal; its wording is ours (not checked against the IMS table).
      throw imsError(400, 'IMG.0015', 'The number of images exceeds the quota.');
    }
    if (runningCopies(state) >= state.copySettings.maxRunningPerTenant) {
      throw imsError(400, 'IMG.0149', 'The number of image replicated cross regions exceeds the maximum number allowed at a time.');
    }

    const fails = state.scriptedFailures > 0 || context.faults.copyShouldFail();
    if (state.scriptedFailures > 0) state.scriptedFailures -= 1;
    const stalls = state.scriptedStalls > 0 || state.random.chance(state.copySettings.stallProbability);
    if (state.scriptedStalls > 0) state.scriptedStalls -= 1;
    const job = submitCopy(state, { source, sourceProjectId: context.projectId, destinationRegion: region, name, description, fails, stalls });
    return { status: 200, body: { job_id: job.id } };
  },
};
