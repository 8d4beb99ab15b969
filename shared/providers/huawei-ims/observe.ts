import { errorCode, errorMessage, isRetryable } from '../../core/domain/errors';
import { ReplicaTag } from '../../core/domain/image';
import type { CopyInFlight, CopyObservation } from '../../core/ports/copy-provider';
import type { ImsClient, ImsTarget } from './client';
import { findJobCopies } from './copy-lookup';
import { cleanText, isNotFound } from './errors';
import { type HuaweiCopyHandle, decodeHandle, encodeHandle } from './handle';
import { ImsImageStatus } from './image-mapping';
import { type ImsImage, type ImsJob, JobStatus, parseJobTime } from './schemas';
import { MAX_TAGS_PER_IMAGE, tagProblem, toImsTags } from './tags';

export interface ObserveContext {
  readonly client: ImsClient;
  target(region: string): ImsTarget;
  /** Values that must never reach an observation's message. */
  readonly secrets: readonly string[];
}

/** Codes of a failed copy when IMS gives none. */
export const ObserveCode = {
  JobFailed: 'IMS.JobFailed',
  ImageKilled: 'IMS.ImageKilled',
  UnknownImageStatus: 'HuaweiUnknownImageStatus',
} as const;

/**
 * The tags a finished copy carries: ours first (the managed marker, the job, the source), then
 * the caller's, each one IMS accepts, at most ten in all.
 */
export const finishedCopyTags = (copy: CopyInFlight): Record<string, string> => {
  const ours: Record<string, string> = {
    [ReplicaTag.Managed]: 'true',
    [ReplicaTag.Job]: copy.jobId,
    [ReplicaTag.SourceImage]: copy.sourceImageId,
    [ReplicaTag.SourceRegion]: copy.sourceRegion,
  };
  const candidates = [...Object.entries(ours), ...Object.entries(copy.tags).filter(([key]) => !(key in ours))];
  const fitting = candidates.filter(([key, value]) => tagProblem({ [key]: value }) === undefined);
  return Object.fromEntries(fitting.slice(0, MAX_TAGS_PER_IMAGE));
};

const handleOf = (copy: CopyInFlight, decoded: HuaweiCopyHandle | undefined): HuaweiCopyHandle => ({
  imsJobId: decoded?.imsJobId,
  sourceRegion: decoded?.sourceRegion ?? copy.sourceRegion,
  destinationRegion: decoded?.destinationRegion ?? copy.destinationRegion,
  imageId: decoded?.imageId,
  name: decoded?.name ?? copy.destinationName,
  jobId: decoded?.jobId ?? copy.jobId,
});

/** How long a job took by IMS's clock: begin_time to end_time, when both are there and in order. */
const jobSeconds = (job: ImsJob): number | undefined => {
  const begin = parseJobTime(job.begin_time);
  const end = parseJobTime(job.end_time);
  if (begin === undefined || end === undefined || end <= begin) return undefined;
  return (end.getTime() - begin.getTime()) / 1000;
};

/** Tags the destination image (idempotent) and reports it available, or missing when it is gone. */
const finish = async (context: ObserveContext, copy: CopyInFlight, handle: HuaweiCopyHandle, imageId: string, copySeconds?: number): Promise<CopyObservation> => {
  try {
    await context.client.addTags(context.target(handle.destinationRegion), imageId, toImsTags(finishedCopyTags(copy)));
  } catch (error) {
    if (isNotFound(error)) return { state: 'missing' };
    throw error;
  }
  const updated = handle.imageId === imageId ? undefined : encodeHandle({ ...handle, imageId });
  return { state: 'available', imageId, handle: updated, copySeconds };
};

/** Whether an image of the copy is still there (something to delete). Unsure counts as yes. */
const leftoverExists = async (context: ObserveContext, copy: CopyInFlight, handle: HuaweiCopyHandle, imageId: string | undefined): Promise<boolean> => {
  try {
    const destination = context.target(handle.destinationRegion);
    const found = imageId === undefined
      ? await findJobCopies(context.client, destination, handle.name ?? copy.destinationName, copy.jobId)
      : await context.client.listImages(destination, { id: imageId });
    return found.some((image) => image.status !== ImsImageStatus.Deleted);
  } catch {
    // Deleting something absent is harmless; forgetting a leftover is not.
    return true;
  }
};

const fromJob = async (context: ObserveContext, copy: CopyInFlight, handle: HuaweiCopyHandle, job: ImsJob): Promise<CopyObservation | undefined> => {
  const imageId = job.entities?.image_id ?? handle.imageId;
  switch (job.status) {
    case JobStatus.Init:
    case JobStatus.Running: {
      const fraction = job.entities?.process_percent;
      const learned = imageId !== undefined && imageId !== handle.imageId;
      return {
        state: 'running',
        progressPercent: fraction === undefined || fraction === null ? undefined : Math.round(fraction * 100),
        imageId,
        handle: learned ? encodeHandle({ ...handle, imageId }) : undefined,
      };
    }
    case JobStatus.Success:
      // A SUCCESS without the image id: find the image by name instead.
      return imageId === undefined ? undefined : finish(context, copy, handle, imageId, jobSeconds(job));
    case JobStatus.Fail:
      return {
        state: 'failed',
        code: cleanText(job.error_code ?? ObserveCode.JobFailed, context.secrets) || ObserveCode.JobFailed,
        message: cleanText(job.fail_reason ?? `IMS copy job ${job.job_id} failed`, context.secrets) || `IMS copy job ${job.job_id} failed`,
        leftover: await leftoverExists(context, copy, handle, imageId),
      };
  }
};

const fromImage = async (context: ObserveContext, copy: CopyInFlight, handle: HuaweiCopyHandle, image: ImsImage): Promise<CopyObservation> => {
  const updated = handle.imageId === image.id ? undefined : encodeHandle({ ...handle, imageId: image.id });
  switch (image.status) {
    case ImsImageStatus.Queued:
    case ImsImageStatus.Saving:
      return { state: 'running', imageId: image.id, handle: updated };
    case ImsImageStatus.Active:
      return finish(context, copy, handle, image.id);
    case ImsImageStatus.Killed:
      return { state: 'failed', code: ObserveCode.ImageKilled, message: `the copy ${image.id} in ${handle.destinationRegion} ended killed`, leftover: true };
    default:
      return {
        state: 'unobserved',
        retryable: false,
        code: ObserveCode.UnknownImageStatus,
        message: `the copy ${image.id} has an undocumented IMS status ${JSON.stringify(image.status)}`,
      };
  }
};

/** Without a job to ask (none in the handle, or IMS forgot it): the destination image tells. */
const fromDestination = async (context: ObserveContext, copy: CopyInFlight, handle: HuaweiCopyHandle): Promise<CopyObservation> => {
  const destination = context.target(handle.destinationRegion);
  const candidates = handle.imageId === undefined
    ? await findJobCopies(context.client, destination, handle.name ?? copy.destinationName, copy.jobId)
    : (await context.client.listImages(destination, { id: handle.imageId })).filter((image) => image.status !== ImsImageStatus.Deleted);
  const image = candidates[0];
  return image === undefined ? { state: 'missing' } : fromImage(context, copy, handle, image);
};

/** One copy: ShowJob in the source region first, the destination image otherwise. Never throws. */
export const observeCopy = async (context: ObserveContext, copy: CopyInFlight): Promise<CopyObservation> => {
  try {
    const decoded = decodeHandle(copy.handle);
    // A handle naming another job leads to that job's copy: never this job's, and never to be tagged as this job's.
    if (decoded?.jobId !== undefined && decoded.jobId !== copy.jobId) return { state: 'missing' };
    const handle = handleOf(copy, decoded);
    if (handle.imsJobId !== undefined) {
      const job = await context.client.showJob(context.target(handle.sourceRegion), handle.imsJobId);
      const seen = job === undefined ? undefined : await fromJob(context, copy, handle, job);
      if (seen !== undefined) return seen;
    }
    return await fromDestination(context, copy, handle);
  } catch (error) {
    return { state: 'unobserved', retryable: isRetryable(error), code: errorCode(error), message: errorMessage(error) };
  }
};
