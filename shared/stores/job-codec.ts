import { TerminalError } from '../core/domain/errors';
import { CORRUPT_JOB_CODE } from '../core/ports/job-store';
import { DeliveryStatus, type Job, JobStatus, MAX_LEFT_BEHIND, MAX_LEFT_BEHIND_ID, MAX_LEFT_BEHIND_WHY, NotificationStatus } from '../core/domain/job';
import { DEFAULT_ACCOUNT, PROVIDER_IDS, ProviderId } from '../core/domain/provider';
import { MAX_COPY_HANDLE_LENGTH } from '../core/ports/copy-provider';
import { MAX_HISTORY_ENTRIES } from '../core/domain/history';
import { lazy } from './lazy';
import * as z from '../core/zod';

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
  const optionalString = z.optional(z.string());

  const jobErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

  const webhookDeliverySchema = z.object({
    status: z.enum([DeliveryStatus.Pending, DeliveryStatus.Delivered, DeliveryStatus.GaveUp]),
    attempts: z.number().check(z.int(), z.nonnegative()),
    lastError: optionalString,
    deliveredAt: optionalString,
  });


  return z.pipe(
    z.object({
      id: z.string().check(z.minLength(1)),
      version: z.number().check(z.int(), z.nonnegative()),
      status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
      attempt: z.number().check(z.int(), z.positive()),
      round: z.number().check(z.int(), z.positive()),
      policy: z.string(),
      provider: z._default(z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]), ProviderId.Alibaba),
      account: z._default(z.string().check(z.minLength(1)), DEFAULT_ACCOUNT),
      source: z.object({
        region: z.string(),
        imageId: z.string(),
        imageName: z.string(),
        sizeGiB: z.optional(z.number()),
        family: optionalString,
        createdAt: optionalString,
      }),
      destination: z.object({
        region: z.string(),
        imageName: z.string(),
        description: optionalString,
        encrypted: z.optional(z.boolean()),
        kmsKeyId: optionalString,
        tags: z.record(z.string(), z.string()),
        options: z.optional(z.record(z.string(), z.string())),
        copiedTags: z.optional(z.record(z.string(), z.string())),
        family: optionalString,
      }),
      copyTimeoutSeconds: z.number().check(z.int(), z.positive()),
      maxAttempts: z.number().check(z.int(), z.positive()),
      webhooks: z.array(z.string()),
      shareWith: z.optional(z.array(z.string())),
      shareOnly: z.optional(z.boolean()),
      sharedWith: z.optional(z.array(z.string())),
      allowRelay: z.optional(z.boolean()),
      relays: z.optional(z.array(z.object({ region: z.string(), imageId: z.string() })).check(z.maxLength(16))),
      relay: z.optional(z.object({ region: z.string(), imageId: z.string() })),
      attemptFromSource: z.optional(z.boolean()),
      copyAdopted: z.optional(z.boolean()),
      expectedDoneAt: optionalString,
      stop: z.optional(
        z.object({ outcome: z.enum([JobStatus.TimedOut, JobStatus.Cancelled]), reason: z.optional(z.string().check(z.maxLength(500))), since: z.string() }),
      ),
      deprecatedAt: optionalString,
      imageGoneAt: optionalString,
      leftBehind: z.optional(
        z.array(z.object({ id: z.string().check(z.maxLength(MAX_LEFT_BEHIND_ID + 1)), why: z.string().check(z.maxLength(MAX_LEFT_BEHIND_WHY + 1)) })).check(z.maxLength(MAX_LEFT_BEHIND)),
      ),
      copyHandle: z.optional(z.string().check(z.maxLength(MAX_COPY_HANDLE_LENGTH))),
      destinationImageId: optionalString,
      route: optionalString,
      progressPercent: z.optional(z.number().check(z.gte(0), z.lte(100))),
      remainingSeconds: z.optional(z.number().check(z.nonnegative())),
      lastError: z.optional(jobErrorSchema),
      createdAt: z.string(),
      updatedAt: z.string(),
      copyStartedAt: optionalString,
      finishedAt: optionalString,
      providerCopySeconds: z.optional(z.number().check(z.positive())),
      shareAwaitsAcceptance: z.optional(z.boolean()),
      notBefore: optionalString,
      history: z.optional(
        z
          .array(
            z.object({
              at: z.string(),
              event: z.string(),
              status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
              from: z.optional(z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]])),
              round: z.number().check(z.int(), z.positive()),
              attempt: z.number().check(z.int(), z.positive()),
              call: optionalString,
              code: optionalString,
              detail: optionalString,
            }),
          )
          .check(z.maxLength(MAX_HISTORY_ENTRIES)),
      ),
      historyDropped: z.optional(z.number().check(z.int(), z.nonnegative())),
      notification: z.object({
        status: z.enum(Object.values(NotificationStatus) as [NotificationStatus, ...NotificationStatus[]]),
        eventId: optionalString,
        requestedAt: optionalString,
        webhooks: z.record(z.string(), webhookDeliverySchema),
      }),
    }),
    z.transform((job) =>
      job.copyHandle === undefined && job.destinationImageId !== undefined && job.provider === ProviderId.Alibaba
        ? { ...job, copyHandle: job.destinationImageId }
        : job,
    ),
  ) satisfies z.core.$ZodType<Job, unknown>;
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
  const parsed = z.safeParse(jobSchema(), raw);
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
