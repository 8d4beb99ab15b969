import { DEFAULT_ACCOUNT, PROVIDER_IDS, ProviderId } from '../domain/provider';
import { RegionId } from '../domain/region';
import * as z from '../zod';

/**
 * The contracts between the functions. Producers build messages with these schemas and consumers
 * parse with the same ones. Adding an optional field is compatible; anything else is a new
 * version, and consumers keep accepting the old ones (a queue can hold messages of the version
 * before a deploy for days).
 */
const regionId = RegionId;
const imageId = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'an image id'));
const provider = z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]);
const account = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'an account name'));
const policyName = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a policy name'));

/** Before providers: the source is an Alibaba image of the default account. */
export const ReplicationRequestedV1 = z.strictObject({
  type: z.literal('replication.requested'),
  version: z.literal(1),
  /** Where the request came from: an ActionTrail event id, a CLI invocation, ... */
  origin: z.string().check(z.minLength(1), z.maxLength(256)),
  source: z.strictObject({ region: regionId, imageId }),
  /** Restrict to one policy; all matching policies when absent. */
  policy: z.optional(policyName),
});
export type ReplicationRequestedV1 = z.infer<typeof ReplicationRequestedV1>;

export const ReplicationRequestedV2 = z.strictObject({
  type: z.literal('replication.requested'),
  version: z.literal(2),
  origin: z.string().check(z.minLength(1), z.maxLength(256)),
  source: z.strictObject({ provider, account, region: regionId, imageId }),
  policy: z.optional(policyName),
});
export type ReplicationRequestedV2 = z.infer<typeof ReplicationRequestedV2>;

/** "Capacity may have freed up or a job became ready: dispatch what you can." Before providers: Alibaba source regions. */
export const DispatchRequestedV1 = z.strictObject({
  type: z.literal('dispatch.requested'),
  version: z.literal(1),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
  /** Source regions worth looking at; all when absent. */
  regions: z.optional(z.array(regionId).check(z.maxLength(100))),
});
export type DispatchRequestedV1 = z.infer<typeof DispatchRequestedV1>;

export const DispatchRequestedV2 = z.strictObject({
  type: z.literal('dispatch.requested'),
  version: z.literal(2),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
  /** Provider accounts (and their source regions) worth looking at; all when absent. */
  scopes: z.optional(
    z
      .array(z.strictObject({ provider, account, regions: z.optional(z.array(regionId).check(z.maxLength(100))) }))
      .check(z.maxLength(20)),
  ),
});
export type DispatchRequestedV2 = z.infer<typeof DispatchRequestedV2>;

export const NotificationRequestedV1 = z.strictObject({
  type: z.literal('notification.requested'),
  version: z.literal(1),
  jobId: z.string().check(z.minLength(1), z.maxLength(128)),
  eventId: z.string().check(z.minLength(1), z.maxLength(256)),
});
export type NotificationRequestedV1 = z.infer<typeof NotificationRequestedV1>;

/**
 * A look at the copies due before `until` (the end of the timer window that scheduled it), sent
 * with a delay to the poll queue. Early, late or twice, it only makes poll-status look again.
 */
export const PollRequestedV1 = z.strictObject({
  type: z.literal('poll.requested'),
  version: z.literal(1),
  until: z.iso.datetime(),
});
export type PollRequestedV1 = z.infer<typeof PollRequestedV1>;

/** What the poll queue carries, any version. */
export const PollMessage = z.discriminatedUnion('version', [PollRequestedV1]);
export type PollMessage = z.infer<typeof PollMessage>;

/** What the start-copy queue carries, any version. */
export const StartCopyMessage = z.discriminatedUnion('type', [
  z.discriminatedUnion('version', [ReplicationRequestedV1, ReplicationRequestedV2]),
  z.discriminatedUnion('version', [DispatchRequestedV1, DispatchRequestedV2]),
]);
export type StartCopyMessage = z.infer<typeof StartCopyMessage>;

/** The newest version of every start-copy message, as consumers work with it. */
export type ReplicationRequested = ReplicationRequestedV2;
export type DispatchRequested = DispatchRequestedV2;

/** Reads an old version as the new one: what it meant then, said now. */
export const upgradeStartCopyMessage = (message: StartCopyMessage): ReplicationRequested | DispatchRequested => {
  if (message.type === 'replication.requested') {
    return message.version === 2
      ? message
      : { ...message, version: 2, source: { provider: ProviderId.Alibaba, account: DEFAULT_ACCOUNT, ...message.source } };
  }
  if (message.version === 2) return message;
  const { regions, ...rest } = message;
  return {
    ...rest,
    version: 2,
    ...(regions === undefined ? {} : { scopes: [{ provider: ProviderId.Alibaba, account: DEFAULT_ACCOUNT, regions }] }),
  };
};

/** What the notify queue carries. */
export const NotifyMessage = NotificationRequestedV1;
export type NotifyMessage = z.infer<typeof NotifyMessage>;

/** Serialises a message after checking it against its own contract: producers cannot emit junk. */
export const encodeMessage = <T>(schema: z.core.$ZodType<T>, message: T): string => JSON.stringify(z.parse(schema, message));
