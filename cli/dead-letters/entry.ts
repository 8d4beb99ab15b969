import { z } from 'zod';
import { deadLetter, DeadLetterV1 } from '../../shared/platform/fc/dead-letter';
import { unwrapRequeued } from '../../shared/platform/fc/requeue';
import { FunctionName } from '../../runtime/local-runtime';

/**
 * One dead letter as the CLI shows it, whichever way it got there: a handler set its input aside
 * (the body is a DeadLetterV1), or the queue moved a raw message after too many receives (MNS's
 * dead-letter policy, the local queue's maxReceives). Both are shown as a DeadLetterV1.
 */
export interface DeadLetterEntry {
  /** The dead-letter queue's own message id: what `redrive` and `drop` take. */
  readonly id: string;
  readonly letter: DeadLetterV1;
  /** `handler`: set aside by a function; `queue`: moved by the queue itself. */
  readonly origin: 'handler' | 'queue';
}

export const QUEUE_MOVED_CODE = 'MaxReceivesExceeded';

const MessageType = z.object({ type: z.string() }).loose();

/** Which function a raw queue message was for, from its contract's type (inside a requeue envelope too). */
export const functionOfMessage = (body: string): string | undefined => {
  try {
    const parsed = MessageType.safeParse(JSON.parse(unwrapRequeued(body).body));
    if (!parsed.success) return undefined;
    if (parsed.data.type === 'notification.requested') return FunctionName.Notify;
    if (parsed.data.type === 'replication.requested' || parsed.data.type === 'dispatch.requested') return FunctionName.StartCopy;
    return undefined;
  } catch {
    return undefined;
  }
};

const parseLetter = (body: string): DeadLetterV1 | undefined => {
  try {
    const parsed = DeadLetterV1.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** A message found on a dead-letter queue, with what the queue knows about it. */
export interface RawDeadLetter {
  readonly id: string;
  readonly body: string;
  readonly receives: number;
  readonly at: Date;
  /** Set when the queue itself moved it (locally: the queue it came from, and why). */
  readonly movedFrom?: { readonly queue: string; readonly reason: string } | undefined;
}

/** Every message on a dead-letter queue becomes one entry of the one shape. */
export const toEntry = (raw: RawDeadLetter): DeadLetterEntry => {
  const letter = raw.movedFrom === undefined ? parseLetter(raw.body) : undefined;
  if (letter !== undefined) return { id: raw.id, letter, origin: 'handler' };
  const fn = raw.movedFrom?.queue ?? functionOfMessage(raw.body) ?? 'unknown';
  const code = raw.movedFrom?.reason ?? QUEUE_MOVED_CODE;
  return {
    id: raw.id,
    origin: 'queue',
    letter: deadLetter({
      function: fn,
      code,
      reason: code === QUEUE_MOVED_CODE ? `delivered ${raw.receives} times without success` : 'the queue could not read this message',
      raw: raw.body,
      messageId: raw.id,
      receives: raw.receives,
      at: Number.isNaN(raw.at.getTime()) ? new Date(0) : raw.at,
    }),
  };
};

export type RedrivePlan =
  | { readonly kind: 'send'; readonly function: string; readonly body: string }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Where a letter goes back to, or why it cannot: only queue messages are put back on their
 * function's queue; an event (a timer, an ActionTrail call) is replayed with `invoke`.
 */
export const redrivePlan = (entry: DeadLetterEntry): RedrivePlan => {
  const { letter } = entry;
  if (letter.code === 'CorruptQueueRow') return { kind: 'refused', reason: 'the queue could not read this row; drop it' };
  if (letter.truncated) return { kind: 'refused', reason: 'the letter keeps only the start of the input; it cannot be sent again' };
  if (letter.messageId === undefined) {
    return { kind: 'refused', reason: `it was an event, not a queue message: replay it with \`image-replicator invoke ${letter.function} --event FILE\`` };
  }
  const fn = letter.function === FunctionName.StartCopy || letter.function === FunctionName.Notify ? letter.function : functionOfMessage(letter.raw);
  if (fn === undefined) return { kind: 'refused', reason: `no function takes it (${letter.function})` };
  return { kind: 'send', function: fn, body: letter.raw };
};

export type DeadLetterAction = 'redrive' | 'drop';

/** What happened to one letter: redriven (to which queue), dropped, or refused with the reason. */
export type TakeOutcome =
  | { readonly id: string; readonly done: true; readonly to?: string | undefined }
  | { readonly id: string; readonly done: false; readonly reason: string };

/** The box of dead letters of one deployment: local SQLite or MNS. */
export interface DeadLetterBox {
  list(): Promise<DeadLetterEntry[]>;
  /**
   * Redrives (puts the message back on its function's queue) or drops the letters `choose` picks,
   * in one pass over the box: on MNS a look hides what it saw for a moment, so a second pass
   * right after the first would find nothing.
   */
  take(choose: (entry: DeadLetterEntry) => boolean, action: DeadLetterAction): Promise<TakeOutcome[]>;
}
