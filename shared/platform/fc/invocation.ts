import { errorCode, errorMessage, isRetryable, RetryableError } from '../../core/domain/errors';
import type { Logger } from '../../core/ports/logger';
import type { MessageQueue } from '../../core/ports/message-queue';

export interface DeadLetter {
  readonly function: string;
  readonly reason: string;
  readonly code: string;
  readonly raw: string;
  readonly at: string;
}

export interface BatchResult<T> {
  readonly results: readonly T[];
  readonly deadLettered: number;
}

/**
 * Runs each input of a delivery on its own. Bad input is logged and set aside on the dead-letter
 * queue so the rest of the batch goes on; a retryable failure is rethrown after the whole batch,
 * so the trigger redelivers it (the use cases are idempotent, the inputs already done are no-ops).
 */
export const processBatch = async <I, T>(options: {
  readonly functionName: string;
  readonly inputs: readonly I[];
  readonly describe: (input: I) => string;
  readonly run: (input: I) => Promise<T>;
  readonly logger: Logger;
  readonly deadLetters: MessageQueue;
  readonly now: () => Date;
}): Promise<BatchResult<T>> => {
  const results: T[] = [];
  let deadLettered = 0;
  let retry: unknown;
  for (const input of options.inputs) {
    try {
      results.push(await options.run(input));
    } catch (error) {
      if (isRetryable(error)) {
        options.logger.warn('input failed, will be redelivered', { input: options.describe(input), code: errorCode(error), error: errorMessage(error) });
        retry ??= error;
        continue;
      }
      options.logger.error('input set aside on the dead-letter queue', { input: options.describe(input), code: errorCode(error), error: errorMessage(error) });
      const letter: DeadLetter = {
        function: options.functionName,
        reason: errorMessage(error),
        code: errorCode(error),
        raw: options.describe(input),
        at: options.now().toISOString(),
      };
      await options.deadLetters.send(JSON.stringify(letter));
      deadLettered += 1;
    }
  }
  if (retry !== undefined) {
    throw retry instanceof RetryableError ? retry : new RetryableError(errorCode(retry), errorMessage(retry), { cause: retry });
  }
  return { results, deadLettered };
};
