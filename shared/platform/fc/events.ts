import { formatIssues } from '../../core/config/load-policy-config';
import { InvalidInputError } from '../../core/domain/errors';
import { isRegionId, quoteShort } from '../../core/domain/region';
import type { InputRecord } from './invocation';
import { unwrapRequeued } from './requeue';
import * as z from '../../core/zod';

/**
 * Decoding what Function Compute hands a function. The event arrives as a Buffer holding one of:
 * a timer payload, a CloudEvent from EventBridge (an ActionTrail API call), or CloudEvents from an
 * MNS queue trigger (one object or an array; `data.messageBody` base64 or plain).
 */

export const TimerEvent = z.looseObject({
  triggerTime: z.string().check(z.minLength(1)),
  triggerName: z.string().check(z.minLength(1)),
  payload: z.optional(z.string()),
});
export type TimerEvent = z.infer<typeof TimerEvent>;

const CloudEventEnvelope = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  source: z.string().check(z.minLength(1), z.maxLength(256)),
  specversion: z.optional(z.string().check(z.maxLength(16))),
  type: z.string().check(z.minLength(1), z.maxLength(256)),
  time: z.optional(z.string()),
  data: z.unknown(),
});

export const MnsQueueEvent = z.extend(CloudEventEnvelope, {
  type: z.literal('mns:Queue:SendMessage'),
  data: z.looseObject({
    messageId: z.string().check(z.minLength(1), z.maxLength(128)),
    messageBody: z.string(),
    requestId: z.optional(z.string().check(z.maxLength(128))),
  }),
});

/** The ActionTrail record EventBridge forwards for an ECS write call. */
export const ActionTrailApiCall = z.looseObject({
  eventId: z.string().check(z.minLength(1)),
  eventName: z.string().check(z.minLength(1)),
  serviceName: z.optional(z.string()),
  acsRegion: z.string().check(z.minLength(1)),
  eventTime: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  requestParameters: z.optional(z.record(z.string(), z.unknown())),
  responseElements: z.optional(z.record(z.string(), z.unknown())),
  userIdentity: z.optional(z.looseObject({ accountId: z.optional(z.string()), type: z.optional(z.string()) })),
});
export type ActionTrailApiCall = z.infer<typeof ActionTrailApiCall>;

const ActionTrailEvent = z.extend(CloudEventEnvelope, { data: ActionTrailApiCall });

/** API calls that leave a new custom image in some region. */
export const IMAGE_CREATING_EVENTS = ['CreateImage', 'CopyImage', 'ImportImage'] as const;

/** One unit of work for start-copy, or a piece of input that could not be understood. */
export type StartCopyInput =
  | { readonly kind: 'sweep'; readonly triggerTime: string; readonly payload?: string | undefined }
  | {
      readonly kind: 'image-event';
      readonly eventId: string;
      readonly eventName: string;
      /** Region the new image lives in. */
      readonly region: string;
      /** Absent when the event did not carry it: start-copy then sweeps that region. */
      readonly imageId?: string | undefined;
    }
  | { readonly kind: 'ignored-event'; readonly eventId: string; readonly reason: string }
  | {
      readonly kind: 'queue-message';
      readonly messageId: string;
      /** The message as its producer sent it, out of any requeue envelope. */
      readonly body: string;
      /** Set when this is a copy the batch put back after failed tries (requeue.ts). */
      readonly requeued?: { readonly attempts: number; readonly firstMessageId: string } | undefined;
    }
  | {
      readonly kind: 'invalid';
      readonly reason: string;
      readonly raw: string;
      /** The queue message id, when the input was a queue message that could not be read. */
      readonly messageId?: string | undefined;
    };

const describeZodError = (error: z.ZodError): string => formatIssues(error.issues).replace(/\n/g, '; ');

/** Queue bodies: the MNS adapter sends base64 JSON; a trigger with IsBase64Decode hands us plain JSON. */
export const decodeMessageBody = (body: string): string => {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  if (/^[A-Za-z0-9+/=\s_-]+$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
    if (decoded.startsWith('{') || decoded.startsWith('[')) return decoded;
  }
  throw new InvalidInputError('data.messageBody is neither JSON nor base64-encoded JSON');
};

const readString = (record: Record<string, unknown> | undefined, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = record?.[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
};

/** Image ids as the providers write them (`m-bp1…`, a UUID): they end up in API parameters and logs. */
const IMAGE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Queue messages are at most 64 KiB on MNS; anything bigger was not sent by us. */
export const MAX_MESSAGE_BODY_BYTES = 64 * 1024;

export interface DecodeOptions {
  /** The account this function serves; an event from another account is refused. Unknown locally. */
  readonly accountId?: string | undefined;
}

const eventAccount = (envelope: z.infer<typeof ActionTrailEvent>): string | undefined => {
  const fromEnvelope = (envelope as Record<string, unknown>).aliyunaccountid;
  return typeof fromEnvelope === 'string' && fromEnvelope !== '' ? fromEnvelope : envelope.data.userIdentity?.accountId;
};

const fromActionTrail = (envelope: z.infer<typeof ActionTrailEvent>, raw: string, options: DecodeOptions): StartCopyInput => {
  const call = envelope.data;
  if (!(IMAGE_CREATING_EVENTS as readonly string[]).includes(call.eventName)) {
    return { kind: 'ignored-event', eventId: envelope.id, reason: `${call.eventName} does not create an image` };
  }
  if (call.errorCode !== undefined) {
    return { kind: 'ignored-event', eventId: envelope.id, reason: `${call.eventName} failed with ${call.errorCode}` };
  }
  // A CopyImage call is made in the source region; the new image lives in its destination.
  const region =
    call.eventName === 'CopyImage'
      ? (readString(call.requestParameters, 'DestinationRegionId') ?? call.acsRegion)
      : call.acsRegion;
  // The region becomes an endpoint host name and the image id an API parameter: nothing else may pass.
  if (!isRegionId(region)) {
    const field = region === call.acsRegion ? 'data.acsRegion' : 'data.requestParameters.DestinationRegionId';
    return { kind: 'invalid', reason: `event ${quoteShort(envelope.id)}: ${field}: ${quoteShort(region)} is not a region id`, raw };
  }
  const imageId = readString(call.responseElements, 'ImageId', 'imageId');
  if (imageId !== undefined && !IMAGE_ID_PATTERN.test(imageId)) {
    return { kind: 'invalid', reason: `event ${quoteShort(envelope.id)}: data.responseElements.ImageId: ${quoteShort(imageId)} is not an image id`, raw };
  }
  const account = eventAccount(envelope);
  if (options.accountId !== undefined && account !== undefined && account !== options.accountId) {
    return { kind: 'invalid', reason: `event ${quoteShort(envelope.id)}: aliyunaccountid: ${quoteShort(account)} is another account than this function's`, raw };
  }
  return { kind: 'image-event', eventId: envelope.id, eventName: call.eventName, region, imageId };
};

const decodeOne = (item: unknown, raw: string, options: DecodeOptions): StartCopyInput => {
  const timer = z.safeParse(TimerEvent, item);
  if (timer.success) return { kind: 'sweep', triggerTime: timer.data.triggerTime, payload: timer.data.payload };
  const queued = z.safeParse(MnsQueueEvent, item);
  if (queued.success) {
    const { messageId, messageBody } = queued.data.data;
    if (Buffer.byteLength(messageBody) > MAX_MESSAGE_BODY_BYTES) {
      return { kind: 'invalid', reason: `message ${quoteShort(messageId)}: data.messageBody: larger than ${MAX_MESSAGE_BODY_BYTES} bytes`, raw, messageId };
    }
    try {
      const { body, requeued } = unwrapRequeued(decodeMessageBody(messageBody));
      return { kind: 'queue-message', messageId, body, ...(requeued === undefined ? {} : { requeued }) };
    } catch (error) {
      return { kind: 'invalid', reason: `message ${messageId}: ${(error as Error).message}`, raw, messageId };
    }
  }
  const trail = z.safeParse(ActionTrailEvent, item);
  if (trail.success) return fromActionTrail(trail.data, raw, options);
  const envelope = z.safeParse(CloudEventEnvelope, item);
  if (!envelope.success) {
    return { kind: 'invalid', reason: `not a timer event or CloudEvent: ${describeZodError(envelope.error)}`, raw };
  }
  if (envelope.data.type === 'mns:Queue:SendMessage') {
    return { kind: 'invalid', reason: `queue event ${envelope.data.id}: ${describeZodError(queued.error)}`, raw };
  }
  return { kind: 'invalid', reason: `event ${envelope.data.id} of type ${envelope.data.type}: ${describeZodError(trail.error)}`, raw };
};

/** Never throws: each item of a batch is decoded on its own so one bad item cannot sink the rest. */
export const decodeStartCopyEvent = (event: Buffer | string | object, options: DecodeOptions = {}): StartCopyInput[] => {
  const text = Buffer.isBuffer(event) ? event.toString('utf8') : typeof event === 'string' ? event : JSON.stringify(event);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [{ kind: 'invalid', reason: 'the event is not JSON', raw: text.slice(0, 4096) }];
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) return [];
  return items.map((item) => {
    // A hostile event can nest deeper than JSON.stringify or the schemas can walk: still just invalid.
    let raw = text.slice(0, 4096);
    try {
      raw = JSON.stringify(item).slice(0, 4096);
      return decodeOne(item, raw, options);
    } catch (error) {
      return { kind: 'invalid' as const, reason: `the event cannot be read: ${(error as Error).message}`, raw };
    }
  });
};

export type QueueInput = Extract<StartCopyInput, { readonly kind: 'queue-message' | 'invalid' }>;

/** For functions that only take queue messages (notify). */
export const decodeQueueEvent = (event: Buffer | string | object): QueueInput[] =>
  decodeStartCopyEvent(event).map((input) =>
    input.kind === 'queue-message' || input.kind === 'invalid'
      ? input
      : { kind: 'invalid', reason: `expected a queue message, got ${input.kind}`, raw: JSON.stringify(input) },
  );

/** Parses a decoded message body against a contract; the error names the field. */
export const parseMessage = <T>(schema: z.core.$ZodType<T>, body: string, messageId: string): T => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidInputError(`message ${messageId}: body is not JSON`, { cause: error });
  }
  const result = z.safeParse(schema, json);
  if (!result.success) throw new InvalidInputError(`message ${messageId}: ${describeZodError(result.error)}`);
  return result.data;
};

/**
 * What a dead letter keeps of an input (its text, and its queue message id when it was one) and,
 * for a queue message, what the batch needs to put it back on its queue: its tries so far.
 */
export const describeInput = (input: StartCopyInput): InputRecord => {
  switch (input.kind) {
    case 'queue-message':
      return {
        raw: input.body,
        messageId: input.messageId,
        message: { attempts: input.requeued?.attempts ?? 0, firstMessageId: input.requeued?.firstMessageId ?? input.messageId },
      };
    case 'invalid':
      return { raw: input.raw, messageId: input.messageId };
    default:
      return { raw: JSON.stringify(input) };
  }
};
