import { z } from 'zod';

/**
 * The contracts between the functions. Producers build messages with these schemas and consumers
 * parse with the same ones. Adding an optional field is compatible; anything else is a new version.
 */
const regionId = z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a region id such as cn-hangzhou');
const imageId = z.string().min(3).max(128);

export const ReplicationRequestedV1 = z
  .object({
    type: z.literal('replication.requested'),
    version: z.literal(1),
    /** Where the request came from: an ActionTrail event id, a CLI invocation, ... */
    origin: z.string().min(1).max(256),
    source: z.object({ region: regionId, imageId }).strict(),
    /** Restrict to one policy; all matching policies when absent. */
    policy: z.string().min(1).optional(),
  })
  .strict();
export type ReplicationRequestedV1 = z.infer<typeof ReplicationRequestedV1>;

/** "Capacity may have freed up or a job became ready: dispatch what you can." */
export const DispatchRequestedV1 = z
  .object({
    type: z.literal('dispatch.requested'),
    version: z.literal(1),
    reason: z.string().min(1).max(256),
    /** Source regions worth looking at; all when absent. */
    regions: z.array(regionId).optional(),
  })
  .strict();
export type DispatchRequestedV1 = z.infer<typeof DispatchRequestedV1>;

export const NotificationRequestedV1 = z
  .object({
    type: z.literal('notification.requested'),
    version: z.literal(1),
    jobId: z.string().min(1).max(128),
    eventId: z.string().min(1).max(256),
  })
  .strict();
export type NotificationRequestedV1 = z.infer<typeof NotificationRequestedV1>;

/** What the start-copy queue carries. */
export const StartCopyMessage = z.discriminatedUnion('type', [ReplicationRequestedV1, DispatchRequestedV1]);
export type StartCopyMessage = z.infer<typeof StartCopyMessage>;

/** What the notify queue carries. */
export const NotifyMessage = NotificationRequestedV1;
export type NotifyMessage = z.infer<typeof NotifyMessage>;

/** Serialises a message after checking it against its own contract: producers cannot emit junk. */
export const encodeMessage = <T>(schema: z.ZodType<T>, message: T): string => JSON.stringify(schema.parse(message));
