import { errorCode, errorMessage, isRetryable, RetryableError } from '../../core/domain/errors';
import type { Logger } from '../../core/ports/logger';
import type { MessageQueue } from '../../core/ports/message-queue';
import type { Deadline } from '../../core/domain/deadline';
import { deadLetter, type DeadLetterV1 } from './dead-letter';
import { encodeRequeued, MAX_MESSAGE_ATTEMPTS, requeueDelaySeconds } from './requeue';

/** Time an input needs at least; less than this left and it is left for later. */
const MIN_INPUT_MS = 2_000;

export interface BatchResult<T> {
  readonly results: readonly T[];
  readonly deadLettered: number;
  /** Queue messages put back on their queue to be tried again later, alone. */
  readonly requeued: number;
  /** Why the first of those was not done (the failure, or the deadline): the batch succeeded, not every input. */
  readonly retry?: { readonly code: string; readonly message: string } | undefined;
}

/** What a dead letter keeps of an input: its text, and its queue message id when it was one. */
export interface InputRecord {
  readonly raw: string;
  readonly messageId?: string | undefined;
  /**
   * Set when the input is a queue message whose body is `raw`: the batch may put a copy of it back
   * on its queue. `attempts` is the tries it had before this delivery.
   */
  readonly message?: { readonly attempts: number; readonly firstMessageId: string } | undefined;
}

/**
 * The queue messages this instance has settled (done, put back on their queue, or set aside), so
 * that a delivery of one of them again is acknowledged without running it a second time: FC
 * redelivers a failed batch with the same message ids, and a queue may deliver a copy the batch put
 * back more than once. The memory is the instance's (a warm FC instance, the local runtime's
 * process), bounded, oldest forgotten first; another instance runs such a message again, which the
 * use cases, being idempotent, make harmless (a poison message would be set aside twice there).
 */
export class SettledMessages {
  readonly #keys = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  remember(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.values().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
  }
}

/**
 * What identifies a queue message across deliveries: a copy put back is the message it copies at
 * its number of tries (every duplicate delivery of it the same); a message that could not be read,
 * its id. Undefined for a timer or an event.
 */
export const settledKey = (record: InputRecord): string | undefined =>
  record.message === undefined ? record.messageId : `${record.message.firstMessageId}@${record.message.attempts}`;

/** An input that is not done and must be tried again: it failed retryably, or was not started in time. */
interface Again {
  readonly record: InputRecord;
  /** Undefined when it was not started: no try is counted. */
  readonly error?: unknown;
}

/**
 * Runs each input of a delivery on its own, then settles the delivery so that the trigger
 * acknowledges it whenever it can:
 *
 * - an input done is done, and never delivered again because another input failed;
 * - a queue message that failed retryably (or was not started before the deadline) is put back on
 *   its queue as a copy of its own, delayed by its tries (requeue.ts); after MAX_MESSAGE_ATTEMPTS
 *   tries it is set aside on the dead-letter queue with its last reason instead;
 * - bad input is set aside on the dead-letter queue, once: not if this instance set the same
 *   message id aside already (a redelivered batch).
 *
 * Only when something cannot be settled so does the batch fail, for the trigger to deliver all of
 * it again (the use cases are idempotent; the inputs already done are no-ops): an input that is not
 * a queue message (a timer, an event) failed retryably, a copy could not be put back, or a letter
 * could not be sent. The copies are put back before any letter is sent, and no letter is sent in
 * a batch that fails: its poison is set aside by the redelivery, so a failed put-back never sets
 * it aside twice. A letter send that fails after copies were put back does make the redelivery run
 * those messages twice (the original and its copy): harmless, the use cases being idempotent.
 */
export const processBatch = async <I, T>(options: {
  readonly functionName: string;
  readonly inputs: readonly I[];
  readonly describe: (input: I) => InputRecord;
  readonly run: (input: I) => Promise<T>;
  readonly logger: Logger;
  readonly deadLetters: MessageQueue;
  /** The queue the function's messages come from: a message to try again goes back there. None: the trigger redelivers. */
  readonly requeue?: MessageQueue | undefined;
  readonly settled?: SettledMessages | undefined;
  readonly maxAttempts?: number | undefined;
  readonly now: () => Date;
  /** Inputs are not started past it: they are tried again later instead of being cut off half-done. */
  readonly deadline?: Deadline | undefined;
}): Promise<BatchResult<T>> => {
  const { logger } = options;
  const maxAttempts = options.maxAttempts ?? MAX_MESSAGE_ATTEMPTS;
  const letterOf = (record: InputRecord, error: unknown, receives?: number): DeadLetterV1 =>
    deadLetter({
      function: options.functionName,
      code: errorCode(error),
      reason: receives === undefined ? errorMessage(error) : `failed ${receives} times${firstSent(record)}; the last: ${errorMessage(error)}`,
      raw: record.raw,
      messageId: record.messageId,
      at: options.now(),
      receives,
    });

  const results: T[] = [];
  let deadLettered = 0;
  const letters: Array<{ readonly letter: DeadLetterV1; readonly key: string | undefined }> = [];
  const again: Again[] = [];
  let left = 0;
  for (const input of options.inputs) {
    const record = options.describe(input);
    const key = settledKey(record);
    if (key !== undefined && options.settled?.has(key) === true) {
      logger.info('message already settled by this instance, not run again', { messageId: record.messageId, key });
      continue;
    }
    if (options.deadline !== undefined && !options.deadline.allows(MIN_INPUT_MS)) {
      left += 1;
      again.push({ record });
      continue;
    }
    try {
      results.push(await options.run(input));
      if (key !== undefined) options.settled?.remember(key);
    } catch (error) {
      if (isRetryable(error)) {
        logger.warn('input failed, will be tried again', { input: record.raw.slice(0, 512), messageId: record.messageId, code: errorCode(error), error: errorMessage(error) });
        again.push({ record, error });
        continue;
      }
      const letter = letterOf(record, error);
      logger.error('input set aside on the dead-letter queue', { input: letter.raw.slice(0, 512), messageId: letter.messageId, code: letter.code, error: letter.reason });
      letters.push({ letter, key });
    }
  }
  if (left > 0) logger.warn('out of time: the inputs not started will be tried again', { left });

  const firstAgain = again[0];
  const retry =
    firstAgain === undefined
      ? undefined
      : firstAgain.error === undefined
        ? { code: 'DeadlineNear', message: `${left} input(s) not started before the invocation's deadline` }
        : { code: errorCode(firstAgain.error), message: errorMessage(firstAgain.error) };

  // 1. What is not done goes back on its queue, one copy each, or the whole delivery comes back.
  let redeliver: RetryableError | undefined;
  if (firstAgain !== undefined && again.some((item) => item.record.message === undefined || options.requeue === undefined)) {
    // Only the trigger can deliver a timer or an event again: the whole delivery, as it is.
    redeliver = toRetryable(firstAgain.error ?? new RetryableError('DeadlineNear', retry?.message ?? 'not started before the deadline'));
  }
  let requeued = 0;
  for (const { record, error } of redeliver === undefined ? again : []) {
    const message = record.message;
    if (message === undefined || options.requeue === undefined) continue;
    const attempts = message.attempts + (error === undefined ? 0 : 1);
    if (error !== undefined && attempts >= maxAttempts) {
      const letter = letterOf(record, error, attempts);
      logger.error('input failed too often, set aside on the dead-letter queue', { messageId: letter.messageId, firstMessageId: message.firstMessageId, attempts, code: letter.code, error: letter.reason });
      letters.push({ letter, key: settledKey(record) });
      continue;
    }
    const delaySeconds = error === undefined ? 0 : requeueDelaySeconds(attempts);
    try {
      const copy = await options.requeue.send(encodeRequeued({ body: record.raw, attempts, firstMessageId: message.firstMessageId }), { delaySeconds });
      requeued += 1;
      // Put back untried, the copy is this very message at the same count: it must not be taken for a duplicate.
      const key = settledKey(record);
      if (error !== undefined && key !== undefined) options.settled?.remember(key);
      logger.info('input put back on its queue', { messageId: record.messageId, copy: copy.messageId, firstMessageId: message.firstMessageId, attempts, delaySeconds });
    } catch (sendError) {
      // Nothing may be lost: the trigger delivers the whole batch again, this input with it.
      logger.error('could not put the input back on its queue; the delivery will be redelivered', { messageId: record.messageId, code: errorCode(sendError), error: errorMessage(sendError) });
      redeliver = new RetryableError('RequeueFailed', `could not put a message back on its queue: ${errorMessage(sendError)}`, { cause: sendError });
      break;
    }
  }

  // 2. Letters, only in a batch that is acknowledged: a redelivered one sets its poison aside then.
  if (redeliver !== undefined && letters.length > 0) {
    logger.warn('the delivery will be redelivered; its bad input is set aside then', { letters: letters.length });
  }
  for (const { letter, key } of redeliver === undefined ? letters : []) {
    try {
      await options.deadLetters.send(JSON.stringify(letter));
      deadLettered += 1;
      if (key !== undefined) options.settled?.remember(key);
    } catch (sendError) {
      // The other letters are still sent (and remembered); the redelivery tries this one again.
      logger.error('could not set the input aside; it will be redelivered', { messageId: letter.messageId, code: errorCode(sendError), error: errorMessage(sendError) });
      redeliver ??= new RetryableError('DeadLetterSendFailed', `could not set an input aside: ${errorMessage(sendError)}`, { cause: sendError });
    }
  }

  if (redeliver !== undefined) throw redeliver;
  return { results, deadLettered, requeued, ...(retry === undefined ? {} : { retry }) };
};

const firstSent = (record: InputRecord): string =>
  record.message === undefined || record.message.firstMessageId === record.messageId ? '' : ` (first sent as message ${record.message.firstMessageId})`;

const toRetryable = (error: unknown): RetryableError =>
  error instanceof RetryableError ? error : new RetryableError(errorCode(error), errorMessage(error), { cause: error });
