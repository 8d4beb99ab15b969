import { InvalidInputError } from '../../core/domain/errors';
import * as z from '../../core/zod';

/**
 * A queue message the batch put back on its own queue after it failed retryably, so that the rest
 * of its delivery could be acknowledged. The trigger does not tell a function how often a message
 * was received (FC's MNS CloudEvent carries no dequeue count), and a copy starts again at zero on
 * the queue, so the count of tries travels with the copy: the message after N failed tries is set
 * aside with its last reason, however many copies it took.
 *
 * The envelope wraps the body untouched; a body without it is a message as first sent (every
 * producer's, and every one queued before this envelope existed): no tries yet. A new field is
 * optional or a new version, and consumers keep reading this one.
 */
export const RequeuedMessageV1 = z.strictObject({
  type: z.literal('message.requeued'),
  version: z.literal(1),
  /** Tries the message has had so far, each failed retryably: 1 after the first; 0 when put back untried (its delivery ran out of time). */
  attempts: z.number().check(z.int(), z.gte(0), z.lte(1_000)),
  /** The id the message had when first sent: the copies are one message to an operator. */
  firstMessageId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The message as its producer sent it. */
  body: z.string(),
});
export type RequeuedMessageV1 = z.infer<typeof RequeuedMessageV1>;

/** Tries a queue message gets before it is set aside; the local queue's receive limit is the same. */
export const MAX_MESSAGE_ATTEMPTS = 8;

/** Back-off before the next try, by the tries made: 10 s · 2^(tries-1), capped at 10 min (the trigger's BACKOFF_RETRY shape). */
export const requeueDelaySeconds = (attempts: number): number => Math.min(10 * 2 ** Math.max(0, attempts - 1), 600);

/** What a queue message's body says about its tries. */
export interface Unwrapped {
  readonly body: string;
  /** Absent for a message as first sent. */
  readonly requeued?: { readonly attempts: number; readonly firstMessageId: string } | undefined;
}

const ENVELOPE_TYPE = /^\{\s*"type"\s*:\s*"message\.requeued"/;

/**
 * The message inside a requeue envelope, or the body itself when it is none. Throws
 * InvalidInputError for a body that claims to be an envelope and is not a valid one.
 */
export const unwrapRequeued = (body: string): Unwrapped => {
  // encodeRequeued writes the type first; a body that does not start so is a message as first
  // sent, and is not parsed here a second time (the consumer parses it against its contract).
  if (!ENVELOPE_TYPE.test(body)) return { body };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidInputError('message.requeued: body is not JSON', { cause: error });
  }
  const parsed = z.safeParse(RequeuedMessageV1, json);
  if (!parsed.success) {
    throw new InvalidInputError(`message.requeued: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return { body: parsed.data.body, requeued: { attempts: parsed.data.attempts, firstMessageId: parsed.data.firstMessageId } };
};

/** The body of the copy to send: the original body, and the tries it has had. */
export const encodeRequeued = (message: { readonly body: string; readonly attempts: number; readonly firstMessageId: string }): string => {
  // Written type first, in this order: that is what unwrapRequeued looks for.
  const envelope: RequeuedMessageV1 = {
    type: 'message.requeued',
    version: 1,
    attempts: message.attempts,
    firstMessageId: message.firstMessageId.slice(0, 128),
    body: message.body,
  };
  z.parse(RequeuedMessageV1, envelope);
  return JSON.stringify(envelope);
};
