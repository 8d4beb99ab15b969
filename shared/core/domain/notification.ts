import { createHmac, timingSafeEqual } from 'node:crypto';
import { secondsBetween } from './clock';
import { type Job, JobStatus } from './job';
import * as z from '../zod';

/**
 * The webhook body, version 1. Receivers dedupe on `eventId`: it is the same for every delivery
 * of one job outcome, and different for a later outcome of the same job.
 */
export const NotificationV1 = z.strictObject({
  specVersion: z.literal('image-replicator.notification/1'),
  eventId: z.string(),
  type: z.enum(['replication.succeeded', 'replication.failed', 'replication.timed_out', 'replication.cancelled', 'replication.pruned']),
  occurredAt: z.string(),
  policy: z.string(),
  /** Added fields are optional: receivers of the first shape keep working. */
  provider: z.optional(z.string()),
  account: z.optional(z.string()),
  jobId: z.string(),
  status: z.string(),
  attempt: z.number().check(z.int()),
  source: z.object({ region: z.string(), imageId: z.string(), imageName: z.string() }),
  destination: z.object({
    region: z.string(),
    imageId: z.nullable(z.string()),
    imageName: z.string(),
    route: z.optional(z.string()),
    sharedWith: z.optional(z.array(z.string())),
    /** `pending`: the provider offered the share, and each recipient accepts it before using the copy. */
    shareAcceptance: z.optional(z.enum(['pending'])),
    /** On `replication.pruned`: what the provider would not delete with the copy, still billed (a snapshot a disk was made from). */
    leftBehind: z.optional(z.array(z.object({ id: z.string(), why: z.string() }))),
  }),
  timings: z.object({
    createdAt: z.string(),
    copyStartedAt: z.nullable(z.string()),
    finishedAt: z.nullable(z.string()),
    durationSeconds: z.nullable(z.number()),
  }),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
});
export type NotificationV1 = z.infer<typeof NotificationV1>;

const TYPE_BY_STATUS: Partial<Record<Job['status'], NotificationV1['type']>> = {
  [JobStatus.Available]: 'replication.succeeded',
  [JobStatus.Failed]: 'replication.failed',
  [JobStatus.TimedOut]: 'replication.timed_out',
  [JobStatus.Cancelled]: 'replication.cancelled',
  [JobStatus.Pruned]: 'replication.pruned',
};

export const buildNotification = (job: Job, now: Date): NotificationV1 => ({
  specVersion: 'image-replicator.notification/1',
  eventId: job.notification.eventId ?? job.id,
  type: TYPE_BY_STATUS[job.status] ?? 'replication.failed',
  occurredAt: job.finishedAt ?? now.toISOString(),
  policy: job.policy,
  provider: job.provider,
  account: job.account,
  jobId: job.id,
  status: job.status,
  attempt: job.attempt,
  source: { region: job.source.region, imageId: job.source.imageId, imageName: job.source.imageName },
  destination: {
    region: job.destination.region,
    imageId: job.destinationImageId ?? null,
    imageName: job.destination.imageName,
    ...(job.route === undefined ? {} : { route: job.route }),
    ...(job.sharedWith === undefined ? {} : { sharedWith: [...job.sharedWith] }),
    ...(job.sharedWith !== undefined && job.shareAwaitsAcceptance === true ? { shareAcceptance: 'pending' as const } : {}),
    ...(job.status === JobStatus.Pruned && job.leftBehind !== undefined ? { leftBehind: job.leftBehind.map((part) => ({ id: part.id, why: part.why })) } : {}),
  },
  timings: {
    createdAt: job.createdAt,
    copyStartedAt: job.copyStartedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    durationSeconds: job.finishedAt === undefined ? null : Math.round(secondsBetween(job.createdAt, job.finishedAt)),
  },
  error: job.status === JobStatus.Available || job.status === JobStatus.Pruned || job.lastError === undefined ? null : { code: job.lastError.code, message: job.lastError.message },
});

/** HMAC-SHA256 over `<unix seconds>.<body>`, hex. The timestamp lets receivers refuse replays. */
export const signNotification = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** What a receiver does: constant-time compare, and a bounded clock skew. */
export const verifyNotificationSignature = (
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean => {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || headers.signature === undefined || !headers.signature.startsWith('v1=')) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signNotification(secret, timestamp, body), 'hex');
  const given = Buffer.from(headers.signature.slice(3), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
};
