import { type CopyHandle, MAX_COPY_HANDLE_LENGTH } from '../../core/ports/copy-provider';
import { REGION_ID_PATTERN } from './regions';
import { imageIdSchema, jobIdSchema } from './schemas';
import * as z from '../../core/zod';

/**
 * What a Huawei copy handle holds: the IMS job (polled in the source region), both regions, the
 * destination image once known, and the name and job that find the copy again when the IMS job
 * is forgotten. Short keys keep it well under the 1 KiB the core allows.
 */
const handleSchema = z.object({
  v: z.literal(1),
  /** IMS job id. */
  ims: z.optional(jobIdSchema),
  src: z.string().check(z.regex(REGION_ID_PATTERN)),
  dst: z.string().check(z.regex(REGION_ID_PATTERN)),
  image: z.optional(imageIdSchema),
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  job: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

export interface HuaweiCopyHandle {
  readonly imsJobId?: string | undefined;
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  readonly imageId?: string | undefined;
  readonly name?: string | undefined;
  readonly jobId?: string | undefined;
}

export const encodeHandle = (handle: HuaweiCopyHandle): CopyHandle => {
  // What decodeHandle would refuse is left out rather than making the whole handle unreadable.
  const name = handle.name !== undefined && handle.name.length >= 1 && handle.name.length <= 128 ? handle.name : undefined;
  const job = handle.jobId !== undefined && handle.jobId.length >= 1 && handle.jobId.length <= 64 ? handle.jobId : undefined;
  const full = JSON.stringify({
    v: 1,
    ims: handle.imsJobId,
    src: handle.sourceRegion,
    dst: handle.destinationRegion,
    image: handle.imageId,
    name,
    job,
  });
  if (Buffer.byteLength(full) <= MAX_COPY_HANDLE_LENGTH) return full;
  // Only a long multi-byte name can overflow; the ids alone always fit.
  return JSON.stringify({ v: 1, ims: handle.imsJobId, src: handle.sourceRegion, dst: handle.destinationRegion, image: handle.imageId, job });
};

/** The handle's content, or undefined when it is not one of ours (then the caller looks by name). */
export const decodeHandle = (handle: CopyHandle): HuaweiCopyHandle | undefined => {
  if (handle.length > MAX_COPY_HANDLE_LENGTH * 4) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(handle);
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(handleSchema, json);
  if (!parsed.success) return undefined;
  const { ims, src, dst, image, name, job } = parsed.data;
  return { imsJobId: ims, sourceRegion: src, destinationRegion: dst, imageId: image, name, jobId: job };
};
