import { z } from 'zod';

/**
 * The answers of the IMS calls we make, as documented (IMS API reference; SDK models ImageInfo,
 * ShowJobResponse, JobEntities). Only the fields we read are checked; every one of them is
 * bounded, because an answer is untrusted input.
 */

/** Image ids are UUIDs; we accept any short id of the same alphabet so that a format change is not an outage. */
export const IMAGE_ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z-]{0,63}$/;
/** Job ids are 32 hex characters in every documented example. */
export const JOB_ID_PATTERN = /^[0-9A-Za-z]{1,64}$/;
/** Project ids are 32 hex characters. */
export const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/;

export const imageIdSchema = z.string().regex(IMAGE_ID_PATTERN, 'not an image id');
export const jobIdSchema = z.string().regex(JOB_ID_PATTERN, 'not a job id');

const isoish = z
  .string()
  .max(64)
  .refine((text) => text === '' || !Number.isNaN(Date.parse(text)), 'not a date');

/** One image of GET /v2/cloudimages. Statuses outside the documented five are kept and mapped by the caller. */
export const imsImageSchema = z.object({
  id: imageIdSchema,
  name: z.string().max(255),
  status: z.string().min(1).max(32),
  /** The description comes back under this name in the extension API. */
  __description: z.string().max(4096).optional().nullable(),
  __imagetype: z.string().max(32).optional(),
  visibility: z.string().max(32).optional(),
  owner: z.string().max(64).optional(),
  /** `key=value` strings (old `key.value` tags are shown the same way). */
  tags: z.array(z.string().max(512)).max(100).optional(),
  min_disk: z.number().int().min(0).max(1_000_000).optional().nullable(),
  /** Bytes, as a decimal string. */
  __image_size: z.string().regex(/^\d{1,20}$/, 'not a byte count').optional().nullable(),
  __system__cmkid: z.string().max(128).optional().nullable(),
  __originalimagename: z.string().max(128).optional().nullable(),
  created_at: isoish.optional(),
  updated_at: isoish.optional(),
  active_at: isoish.optional().nullable(),
});
export type ImsImage = z.infer<typeof imsImageSchema>;

/** At most this many images per page, whatever `limit` we sent: a page beyond it is hostile. */
export const MAX_IMAGES_PER_PAGE = 1000;

export const listImagesAnswerSchema = z.object({ images: z.array(imsImageSchema).max(MAX_IMAGES_PER_PAGE) });

export const jobAnswerSchema = z.object({ job_id: jobIdSchema });

export const JobStatus = { Init: 'INIT', Running: 'RUNNING', Success: 'SUCCESS', Fail: 'FAIL' } as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** GET /v1/{project_id}/jobs/{job_id}. `process_percent` is a fraction (0.4 = 40 %). */
export const showJobAnswerSchema = z.object({
  job_id: jobIdSchema,
  job_type: z.string().max(128).optional(),
  status: z.enum([JobStatus.Init, JobStatus.Running, JobStatus.Success, JobStatus.Fail]),
  /** `2022-05-17T14:42:20.859Z` or `04-Jun-2015 18:11:06:586`; empty while running. */
  begin_time: z.string().max(64).optional().nullable(),
  end_time: z.string().max(64).optional().nullable(),
  error_code: z.string().max(64).optional().nullable(),
  fail_reason: z.string().max(2048).optional().nullable(),
  entities: z
    .object({
      image_id: imageIdSchema.optional().nullable(),
      image_name: z.string().max(255).optional().nullable(),
      process_percent: z.number().min(0).max(1).optional().nullable(),
      current_task: z.string().max(256).optional().nullable(),
    })
    .optional()
    .nullable(),
});
export type ImsJob = z.infer<typeof showJobAnswerSchema>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A job time in either documented form, as UTC; undefined when empty or unreadable. */
export const parseJobTime = (text: string | null | undefined): Date | undefined => {
  if (text === undefined || text === null || text === '') return undefined;
  const old = /^(\d{2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(text);
  if (old) {
    const [, day, month, year, hour, minute, second, ms] = old;
    const monthIndex = MONTHS.indexOf(month ?? '');
    if (monthIndex < 0) return undefined;
    return new Date(Date.UTC(Number(year), monthIndex, Number(day), Number(hour), Number(minute), Number(second), Number(ms)));
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
};
