import { z } from 'zod';
import { TerminalError } from '../core/domain/errors';
import { CORRUPT_JOB_CODE } from '../core/ports/job-store';
import { DeliveryStatus, type Job, JobStatus, NotificationStatus } from '../core/domain/job';
import { DEFAULT_ACCOUNT, PROVIDER_IDS, ProviderId } from '../core/domain/provider';
import { MAX_COPY_HANDLE_LENGTH } from '../core/ports/copy-provider';
import { MAX_HISTORY_ENTRIES } from '../core/domain/history';
import { lazy } from './lazy';

/**
 * How a job is kept in a store: its JSON. A stored row is read from outside the process (another
 * version of the product, a hand edit, a half-applied migration), so it is parsed, not trusted.
 */

/**
 * Rows written before providers and accounts existed are Alibaba jobs of the default account;
 * their copy handle was the copy's image id. Read as such, they go on being worked on.
 * Built on first read (./lazy): an invocation that reads no job does not pay for it at cold start.
 */
const jobSchema = lazy(() => {
  const optionalString = z.string().optional();

  const jobErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

  const webhookDeliverySchema = z.object({
    status: z.enum([DeliveryStatus.Pending, DeliveryStatus.Delivered, DeliveryStatus.GaveUp]),
    attempts: z.number().int().nonnegative(),
    lastError: optionalString,
    deliveredAt: optionalString,
  });


  return z.object({
    id: z.string().min(1),
    version: z.number().int().nonnegative(),
    status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
    attempt: z.number().int().positive(),
    round: z.number().int().positive(),
    policy: z.string(),
    provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]).default(ProviderId.Alibaba),
    account: z.string().min(1).default(DEFAULT_ACCOUNT),
    source: z.object({
      region: z.string(),
      imageId: z.string(),
      imageName: z.string(),
      sizeGiB: z.number().optional(),
      family: optionalString,
    }),
    destination: z.object({
      region: z.string(),
      imageName: z.string(),
      description: optionalString,
      encrypted: z.boolean().optional(),
      kmsKeyId: optionalString,
      tags: z.record(z.string(), z.string()),
      options: z.record(z.string(), z.string()).optional(),
      copiedTags: z.record(z.string(), z.string()).optional(),
      family: optionalString,
    }),
    copyTimeoutSeconds: z.number().int().positive(),
    maxAttempts: z.number().int().positive(),
    webhooks: z.array(z.string()),
    shareWith: z.array(z.string()).optional(),
    shareOnly: z.boolean().optional(),
    sharedWith: z.array(z.string()).optional(),
    allowRelay: z.boolean().optional(),
    relays: z.array(z.object({ region: z.string(), imageId: z.string() })).max(16).optional(),
    relay: z.object({ region: z.string(), imageId: z.string() }).optional(),
    attemptFromSource: z.boolean().optional(),
    copyAdopted: z.boolean().optional(),
    expectedDoneAt: optionalString,
    stop: z
      .object({ outcome: z.enum([JobStatus.TimedOut, JobStatus.Cancelled]), reason: z.string().max(500).optional(), since: z.string() })
      .optional(),
    deprecatedAt: optionalString,
    copyHandle: z.string().max(MAX_COPY_HANDLE_LENGTH).optional(),
    destinationImageId: optionalString,
    route: optionalString,
    progressPercent: z.number().min(0).max(100).optional(),
    remainingSeconds: z.number().nonnegative().optional(),
    lastError: jobErrorSchema.optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    copyStartedAt: optionalString,
    finishedAt: optionalString,
    notBefore: optionalString,
    history: z
      .array(
        z.object({
          at: z.string(),
          event: z.string(),
          status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
          from: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]).optional(),
          round: z.number().int().positive(),
          attempt: z.number().int().positive(),
          call: optionalString,
          code: optionalString,
          detail: optionalString,
        }),
      )
      .max(MAX_HISTORY_ENTRIES)
      .optional(),
    historyDropped: z.number().int().nonnegative().optional(),
    notification: z.object({
      status: z.enum(Object.values(NotificationStatus) as [NotificationStatus, ...NotificationStatus[]]),
      eventId: optionalString,
      requestedAt: optionalString,
      webhooks: z.record(z.string(), webhookDeliverySchema),
    }),
  })
    .transform((job) =>
      job.copyHandle === undefined && job.destinationImageId !== undefined && job.provider === ProviderId.Alibaba
        ? { ...job, copyHandle: job.destinationImageId }
        : job,
    ) satisfies z.ZodType<Job, unknown>;
});

/** A stored job that does not parse. Terminal: retrying reads the same bytes again. */
export class CorruptJobError extends TerminalError {
  constructor(jobId: string, field: string, reason: string, options: { cause?: unknown } = {}) {
    super(CORRUPT_JOB_CODE, `stored job ${jobId} is corrupt: ${field}: ${reason}`, {
      ...options,
      details: { jobId, field },
    });
  }
}

export const encodeJob = (job: Job): string => JSON.stringify(job);

/** Parses a stored job; `jobId` is the key it was stored under, used to name it when corrupt. */
export const decodeJob = (jobId: string, text: string): Job => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CorruptJobError(jobId, '(body)', 'not JSON', { cause: error });
  }
  const parsed = jobSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
    throw new CorruptJobError(jobId, field, issue?.message ?? 'invalid', { cause: parsed.error });
  }
  if (parsed.data.id !== jobId) {
    throw new CorruptJobError(jobId, 'id', `holds the job ${parsed.data.id}`);
  }
  return parsed.data;
};
