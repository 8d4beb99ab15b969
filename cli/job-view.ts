import { z } from 'zod';
import type { Job } from '../shared/core/domain/job';

/**
 * The one JSON shape of a job that the CLI prints: `run --json` (one per line, on every change),
 * `status --json` (an array), `retry`, `cancel`, and inside `history --json`. Scripts parse it, so it is
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
    destination: z
      .object({
        region: z.string(),
        imageName: z.string(),
        imageId: z.string().nullable(),
        /** A pruned copy's parts the provider would not delete (a snapshot a disk was made from): still billed. */
        leftBehind: z.array(z.object({ id: z.string(), why: z.string() }).strict()).nullable(),
      })
      .strict(),
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
  destination: {
    region: job.destination.region,
    imageName: job.destination.imageName,
    imageId: job.destinationImageId ?? null,
    leftBehind: job.leftBehind === undefined ? null : job.leftBehind.map((part) => ({ id: part.id, why: part.why })),
  },
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

/**
 * `history --json`: the job (the shape above) and its history entries, oldest first, every key
 * present (null when the entry has none). `historyDropped`: entries dropped between the first and
 * the ones kept.
 */
export const HistoryViewV1 = z
  .object({
    schema: z.literal('image-replicator.history/v1'),
    job: JobViewV1,
    entries: z.array(
      z
        .object({
          at: z.string(),
          event: z.string(),
          status: z.string(),
          from: z.string().nullable(),
          round: z.number().int(),
          attempt: z.number().int(),
          call: z.string().nullable(),
          code: z.string().nullable(),
          detail: z.string().nullable(),
        })
        .strict(),
    ),
    historyDropped: z.number().int(),
  })
  .strict();
export type HistoryViewV1 = z.infer<typeof HistoryViewV1>;

export const historyView = (job: Job): HistoryViewV1 => ({
  schema: 'image-replicator.history/v1',
  job: jobView(job),
  entries: (job.history ?? []).map((entry) => ({
    at: entry.at,
    event: entry.event,
    status: entry.status,
    from: entry.from ?? null,
    round: entry.round,
    attempt: entry.attempt,
    call: entry.call ?? null,
    code: entry.code ?? null,
    detail: entry.detail ?? null,
  })),
  historyDropped: job.historyDropped ?? 0,
});
