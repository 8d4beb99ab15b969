import { progressFraction } from './copy-jobs';
import { ImsImageType, ImsJobStatus, type SimImsImage, type SimJob } from './model';
import type { ImsSimState } from './state';

/** `2026-11-20T08:00:00Z`: how IMS writes image times. */
const imageTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One image as GET /v2/cloudimages shows it (the documented field names, `__description` included). */
export const imageView = (image: SimImsImage): Record<string, unknown> => ({
  schema: '/v2/schemas/image',
  id: image.id,
  name: image.name,
  status: image.status,
  visibility: image.imageType === ImsImageType.Gold ? 'public' : 'private',
  __imagetype: image.imageType,
  owner: image.owner,
  tags: [...image.tags].map(([key, value]) => `${key}=${value}`),
  min_disk: image.minDiskGiB,
  min_ram: 0,
  __image_size: String(image.sizeBytes),
  size: 0,
  virtual_size: null,
  ...(image.description === '' ? {} : { __description: image.description }),
  created_at: imageTime(image.createdAt),
  updated_at: imageTime(image.updatedAt),
  ...(image.activeAt === undefined ? {} : { active_at: imageTime(image.activeAt) }),
  __os_type: image.osType,
  __platform: image.platform,
  __os_bit: '64',
  __os_version: `${image.platform} 64bit`,
  disk_format: 'zvhd2',
  container_format: 'bare',
  virtual_env_type: 'FusionCompute',
  protected: false,
  __isregistered: 'true',
  __image_source_type: 'uds',
  __originalimagename: image.originalImageId ?? '',
  ...(image.cmkId === undefined ? {} : { __system__cmkid: image.cmkId }),
  file: `/v2/images/${image.id}/file`,
  self: `/v2/images/${image.id}`,
  hw_firmware_type: 'bios',
});

/** GET /v1/{project_id}/jobs/{job_id}: the documented envelope, fraction progress, '' end_time while running. */
export const jobView = (state: ImsSimState, job: SimJob): Record<string, unknown> => {
  const copy = job.copy;
  const done = job.status === ImsJobStatus.Success || job.status === ImsJobStatus.Fail;
  const showImage = copy !== undefined && (job.status === ImsJobStatus.Success || state.quirks.imageIdWhileRunning);
  return {
    status: job.status,
    entities: copy === undefined
      ? {}
      : {
          image_name: copy.name,
          process_percent: progressFraction(state, job),
          current_task: job.status === ImsJobStatus.Init ? 'WaitTask' : 'CopyImageCrossRegionTask',
          // The id IMS gave the copy stays in the job even after the image is deleted.
          ...(showImage ? { image_id: copy.destinationImageId } : {}),
        },
    job_id: job.id,
    job_type: job.type,
    begin_time: new Date(job.submittedAt).toISOString(),
    end_time: done && job.finishedAt !== undefined ? new Date(job.finishedAt).toISOString() : '',
    error_code: job.errorCode ?? null,
    fail_reason: job.failReason ?? null,
  };
};
