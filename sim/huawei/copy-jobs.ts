import { CROSS_REGION_JOB_TYPE, ImsImageStatus, ImsJobStatus, type SimImsImage, type SimJob, copyDurationMs } from './model';
import type { ImsSimState } from './state';

/**
 * Cross-region copy jobs advance lazily: before anything reads or changes the state, `settleJobs`
 * moves every job to where the clock says it is (INIT → RUNNING → SUCCESS or FAIL) and drops
 * deleted images whose lingering is over. No timers, exact for any clock jump. Unlike ECS there
 * is no queue: IMS refuses a sixth copy (IMG.0149) instead of holding it.
 */
export const settleJobs = (state: ImsSimState, now = state.nowMs()): void => {
  for (const job of state.jobs.values()) {
    const copy = job.copy;
    if (job.status === ImsJobStatus.Success || job.status === ImsJobStatus.Fail) continue;
    if (copy === undefined) {
      // Share jobs: done once their INIT is over.
      if (now >= job.submittedAt + state.copySettings.initSeconds * 1000) finishJob(job, ImsJobStatus.Success, job.submittedAt + state.copySettings.initSeconds * 1000);
      continue;
    }
    const image = state.images.get(copy.destinationImageId);
    if (now >= copy.startsAt && job.status === ImsJobStatus.Init) {
      job.status = ImsJobStatus.Running;
      if (image?.status === ImsImageStatus.Queued) setStatus(image, ImsImageStatus.Saving, copy.startsAt);
    }
    const endsAt = copy.startsAt + Math.round(copy.durationMs * (copy.failsAtFraction ?? 1));
    if (copy.stalledAt !== undefined || now < endsAt) continue;
    if (copy.failsAtFraction === undefined) {
      finishJob(job, ImsJobStatus.Success, endsAt);
      if (image !== undefined && image.deletedAt === undefined) {
        setStatus(image, ImsImageStatus.Active, endsAt);
        image.activeAt = endsAt;
      }
    } else {
      finishJob(job, ImsJobStatus.Fail, endsAt);
      job.errorCode = state.copySettings.failureErrorCode;
      job.failReason = `Copying image ${copy.sourceImageId} to ${copy.destinationRegion} failed at ${Math.round(copy.failsAtFraction * 100)}%.`;
      if (image !== undefined && image.deletedAt === undefined) {
        if (state.quirks.failedCopyImage === 'removed') state.images.delete(image.id);
        else setStatus(image, ImsImageStatus.Killed, endsAt);
      }
    }
  }
  const linger = state.quirks.deletedLingerSeconds * 1000;
  for (const image of [...state.images.values()]) {
    if (image.deletedAt !== undefined && now >= image.deletedAt + linger) state.images.delete(image.id);
  }
};

const setStatus = (image: SimImsImage, status: SimImsImage['status'], at: number): void => {
  image.status = status;
  image.updatedAt = at;
};

const finishJob = (job: SimJob, status: typeof ImsJobStatus.Success | typeof ImsJobStatus.Fail, at: number): void => {
  job.status = status;
  job.finishedAt = at;
};

const isActive = (job: SimJob): boolean => job.status === ImsJobStatus.Init || job.status === ImsJobStatus.Running;

/** Cross-region copies the tenant has running (INIT or RUNNING), all regions together. */
export const runningCopies = (state: ImsSimState): number => [...state.jobs.values()].filter((job) => job.copy !== undefined && isActive(job)).length;

export interface SubmitCopy {
  readonly source: SimImsImage;
  readonly sourceProjectId: string;
  readonly destinationRegion: string;
  readonly name: string;
  readonly description: string;
  readonly fails: boolean;
  readonly stalls: boolean;
}

/** Accepts a copy: an INIT job in the source region and a `queued` image in the destination, at once. */
export const submitCopy = (state: ImsSimState, request: SubmitCopy): SimJob => {
  const now = state.nowMs();
  const jobId = state.newJobId();
  const image = state.addImage({
    region: request.destinationRegion,
    name: request.name,
    description: request.description,
    sizeBytes: request.source.sizeBytes,
    minDiskGiB: request.source.minDiskGiB,
    status: ImsImageStatus.Queued,
    osType: request.source.osType,
    platform: request.source.platform,
    createdAt: new Date(now),
    originalImageId: request.source.id,
    copyJobId: jobId,
  });
  const startsAt = now + state.copySettings.initSeconds * 1000;
  const durationMs = copyDurationMs(state.copySettings, request.source.region, request.destinationRegion, request.source.sizeBytes);
  const job: SimJob = {
    id: jobId,
    type: CROSS_REGION_JOB_TYPE,
    region: request.source.region,
    projectId: request.sourceProjectId,
    submittedAt: now,
    status: ImsJobStatus.Init,
    copy: {
      sourceImageId: request.source.id,
      destinationRegion: request.destinationRegion,
      destinationImageId: image.id,
      name: request.name,
      startsAt,
      durationMs,
      failsAtFraction: request.fails ? Math.round(state.random.between(0.1, 0.9) * 100) / 100 : undefined,
      // A stalled copy freezes somewhere in the middle and never ends.
      stalledAt: request.stalls ? startsAt + Math.round(durationMs * state.random.between(0.2, 0.8)) : undefined,
    },
  };
  state.jobs.set(jobId, job);
  state.copyRecords.push({ destinationRegion: request.destinationRegion, name: request.name, imageId: image.id, jobId, sourceImageId: request.source.id, createdAt: now });
  return job;
};

/** Progress as IMS shows it: a fraction 0–1 with two decimals. */
export const progressFraction = (state: ImsSimState, job: SimJob, now = state.nowMs()): number => {
  const copy = job.copy;
  if (job.status === ImsJobStatus.Success) return 1;
  if (copy === undefined || now < copy.startsAt) return 0;
  const stopAt = Math.min(now, copy.stalledAt ?? now, copy.startsAt + copy.durationMs * (copy.failsAtFraction ?? 1));
  const fraction = Math.max(0, stopAt - copy.startsAt) / copy.durationMs;
  return Math.min(0.99, Math.floor(fraction * 100) / 100);
};
