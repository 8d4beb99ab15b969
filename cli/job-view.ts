import { z } from 'zod';
import type { Job } from '../shared/core/domain/job';

/**
 * The one JSON shape of a job that the CLI prints: `run --json` (one per line, on every change),
 * `status --json` (an array), `retry`, `cancel` and `history --json`. Scripts parse it, so it is
 * versioned, every key is always present (null when unknown), and it leaves out what is internal
 * (copy handles, webhook delivery bookkeeping).
 */
export const JobViewV1 = z
  .object({
    schema: z.literal('image-replicator.job/v1'),
    jobId: z.string(),
    policy: z.string(),
    provider: z.string(),
    account: z.string(),
    source: z.object({ region: z.string(), imageId: z.string(), imageName: z.string() }).strict(),
    destination: z.object({ region: z.string(), imageName: z.string(), imageId: z.string().nullable() }).strict(),
    status: z.string(),
    progressPercent: z.number().nullable(),
    /** Seconds left as the provider estimates it, when it does. */
    remainingSeconds: z.number().nullable(),
    attempt: z.number().int(),
    round: z.number().int(),
    error: z.object({ code: z.string(), message: z.string(), at: z.string() }).strict().nullable(),
    notification: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    copyStartedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .strict();
export type JobViewV1 = z.infer<typeof JobViewV1>;

export const jobView = (job: Job): JobViewV1 => ({
  schema: 'image-replicator.job/v1',
  jobId: job.id,
  policy: job.policy,
  provider: job.provider,
  account: job.account,
  source: { region: job.source.region, imageId: job.source.imageId, imageName: job.source.imageName },
  destination: { region: job.destination.region, imageName: job.destination.imageName, imageId: job.destinationImageId ?? null },
  status: job.status,
  progressPercent: job.progressPercent ?? null,
  remainingSeconds: job.remainingSeconds ?? null,
  attempt: job.attempt,
  round: job.round,
  error: job.lastError === undefined ? null : { code: job.lastError.code, message: job.lastError.message, at: job.lastError.at },
  notification: job.notification.status,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  copyStartedAt: job.copyStartedAt ?? null,
  finishedAt: job.finishedAt ?? null,
});
