import { errorCode, errorMessage, isRetryable, RetryableError } from '../../core/domain/errors';
import type { Logger } from '../../core/ports/logger';
import type { MessageQueue } from '../../core/ports/message-queue';
import type { Deadline } from '../../core/domain/deadline';
import { deadLetter } from './dead-letter';

/** Time an input needs at least; less than this left and it is left for the redelivery. */
const MIN_INPUT_MS = 2_000;

export interface BatchResult<T> {
  readonly results: readonly T[];
  readonly deadLettered: number;
}

/** What a dead letter keeps of an input: its text, and its queue message id when it was one. */
export interface InputRecord {
  readonly raw: string;
  readonly messageId?: string | undefined;
}

/**
 * Runs each input of a delivery on its own. Bad input is logged and set aside on the dead-letter
 * queue so the rest of the batch goes on; a retryable failure is rethrown after the whole batch,
 * so the trigger redelivers it (the use cases are idempotent, the inputs already done are no-ops).
 * A dead-letter send that fails does not stop the batch either: it is retried with the redelivery.
 */
export const processBatch = async <I, T>(options: {
  readonly functionName: string;
  readonly inputs: readonly I[];
  readonly describe: (input: I) => InputRecord;
  readonly run: (input: I) => Promise<T>;
  readonly logger: Logger;
  readonly deadLetters: MessageQueue;
  readonly now: () => Date;
  /** Inputs are not started past it: they are redelivered instead of being cut off half-done. */
  readonly deadline?: Deadline | undefined;
}): Promise<BatchResult<T>> => {
  const results: T[] = [];
  let deadLettered = 0;
  let retry: unknown;
  let left = 0;
  for (const input of options.inputs) {
    if (options.deadline !== undefined && !options.deadline.allows(MIN_INPUT_MS)) {
      left += 1;
      continue;
    }
    try {
      results.push(await options.run(input));
    } catch (error) {
      const record = options.describe(input);
      const letter = deadLetter({
        function: options.functionName,
        code: errorCode(error),
        reason: errorMessage(error),
        raw: record.raw,
        messageId: record.messageId,
        at: options.now(),
      });
      if (isRetryable(error)) {
        options.logger.warn('input failed, will be redelivered', { input: letter.raw.slice(0, 512), messageId: letter.messageId, code: letter.code, error: letter.reason });
        retry ??= error;
        continue;
      }
      options.logger.error('input set aside on the dead-letter queue', { input: letter.raw.slice(0, 512), messageId: letter.messageId, code: letter.code, error: letter.reason });
      try {
        await options.deadLetters.send(JSON.stringify(letter));
        deadLettered += 1;
      } catch (sendError) {
        // The rest of the batch still runs; the redelivery tries this letter again.
        options.logger.error('could not set the input aside; it will be redelivered', { messageId: letter.messageId, code: errorCode(sendError), error: errorMessage(sendError) });
        retry ??= new RetryableError('DeadLetterSendFailed', `could not set an input aside: ${errorMessage(sendError)}`, { cause: sendError });
      }
    }
  }
  if (left > 0) {
    options.logger.warn('out of time: the rest of the delivery will be redelivered', { left });
    retry ??= new RetryableError('DeadlineNear', `${left} input(s) not started before the invocation's deadline`);
  }
  if (retry !== undefined) {
    throw retry instanceof RetryableError ? retry : new RetryableError(errorCode(retry), errorMessage(retry), { cause: retry });
  }
  return { results, deadLettered };
};
