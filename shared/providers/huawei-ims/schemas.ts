import * as z from '../../core/zod';

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

export const imageIdSchema = z.string().check(z.regex(IMAGE_ID_PATTERN, 'not an image id'));
export const jobIdSchema = z.string().check(z.regex(JOB_ID_PATTERN, 'not a job id'));

const isoish = z.string().check(z.maxLength(64), z.refine((text) => text === '' || !Number.isNaN(Date.parse(text)), 'not a date'));

/** One image of GET /v2/cloudimages. Statuses outside the documented five are kept and mapped by the caller. */
export const imsImageSchema = z.object({
  id: imageIdSchema,
  name: z.string().check(z.maxLength(255)),
  status: z.string().check(z.minLength(1), z.maxLength(32)),
  /** The description comes back under this name in the extension API. */
  __description: z.nullable(z.optional(z.string().check(z.maxLength(4096)))),
  __imagetype: z.optional(z.string().check(z.maxLength(32))),
  visibility: z.optional(z.string().check(z.maxLength(32))),
  owner: z.optional(z.string().check(z.maxLength(64))),
  /** `key=value` strings (old `key.value` tags are shown the same way). */
  tags: z.optional(z.array(z.string().check(z.maxLength(512))).check(z.maxLength(100))),
  min_disk: z.nullable(z.optional(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)))),
  /** Bytes, as a decimal string. */
  __image_size: z.nullable(z.optional(z.string().check(z.regex(/^\d{1,20}$/, 'not a byte count')))),
  __system__cmkid: z.nullable(z.optional(z.string().check(z.maxLength(128)))),
  __originalimagename: z.nullable(z.optional(z.string().check(z.maxLength(128)))),
  created_at: z.optional(isoish),
  updated_at: z.optional(isoish),
  active_at: z.nullable(z.optional(isoish)),
});
export type ImsImage = z.infer<typeof imsImageSchema>;

/** At most this many images per page, whatever `limit` we sent: a page beyond it is hostile. */
export const MAX_IMAGES_PER_PAGE = 1000;

export const listImagesAnswerSchema = z.object({ images: z.array(imsImageSchema).check(z.maxLength(MAX_IMAGES_PER_PAGE)) });

export const jobAnswerSchema = z.object({ job_id: jobIdSchema });

/** Servers named in one answer before we call it runaway: far more than any tenant runs from one image per region. */
export const MAX_SERVERS_PER_ANSWER = 20_000;

/** Members named in one answer before we call it runaway: IMS allows 128 projects per image. */
export const MAX_MEMBERS_PER_ANSWER = 1_000;

/** GET /v2/images/{image_id}/members: the projects, whatever their answer (pending, accepted, rejected). */
export const listMembersAnswerSchema = z.object({
  members: z.array(z.object({ member_id: z.string().check(z.minLength(1), z.maxLength(64)) })).check(z.maxLength(MAX_MEMBERS_PER_ANSWER)),
});

/** GET /v2.1/{project_id}/servers (ECS, Nova): only how many there are is read. */
export const listServersAnswerSchema = z.object({
  servers: z.array(z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) })).check(z.maxLength(MAX_SERVERS_PER_ANSWER)),
});

/** ListScalingConfigs' largest page. */
export const AS_PAGE_SIZE = 100;

/**
 * GET /autoscaling-api/v1/{project_id}/scaling_configuration: a page of AS configurations. Read
 * for the images each would launch: `instance_config.imageRef` (the system disk) and any data
 * disk's `data_disk_image_id`.
 */
export const listScalingConfigsAnswerSchema = z.object({
  total_number: z.number().check(z.int(), z.nonnegative()),
  scaling_configurations: z
    .array(
      z.object({
        scaling_configuration_id: z.string().check(z.minLength(1), z.maxLength(64)),
        scaling_group_id: z.nullish(z.string().check(z.maxLength(64))),
        instance_config: z.nullish(
          z.object({
            imageRef: z.nullish(z.string()),
            disk: z.nullish(z.array(z.object({ data_disk_image_id: z.nullish(z.string()) }))),
          }),
        ),
      }),
    )
    .check(z.maxLength(AS_PAGE_SIZE)),
});
export type ScalingConfig = z.infer<typeof listScalingConfigsAnswerSchema>['scaling_configurations'][number];

export const JobStatus = { Init: 'INIT', Running: 'RUNNING', Success: 'SUCCESS', Fail: 'FAIL' } as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** GET /v1/{project_id}/jobs/{job_id}. `process_percent` is a fraction (0.4 = 40 %). */
export const showJobAnswerSchema = z.object({
  job_id: jobIdSchema,
  job_type: z.optional(z.string().check(z.maxLength(128))),
  status: z.enum([JobStatus.Init, JobStatus.Running, JobStatus.Success, JobStatus.Fail]),
  /** `2022-05-17T14:42:20.859Z` or `04-Jun-2015 18:11:06:586`; empty while running. */
  begin_time: z.nullable(z.optional(z.string().check(z.maxLength(64)))),
  end_time: z.nullable(z.optional(z.string().check(z.maxLength(64)))),
  error_code: z.nullable(z.optional(z.string().check(z.maxLength(64)))),
  fail_reason: z.nullable(z.optional(z.string().check(z.maxLength(2048)))),
  entities: z.nullable(
    z.optional(
      z.object({
        image_id: z.nullable(z.optional(imageIdSchema)),
        image_name: z.nullable(z.optional(z.string().check(z.maxLength(255)))),
        process_percent: z.nullable(z.optional(z.number().check(z.gte(0), z.lte(1)))),
        current_task: z.nullable(z.optional(z.string().check(z.maxLength(256)))),
      }),
    ),
  ),
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
