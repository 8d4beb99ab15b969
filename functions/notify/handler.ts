import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { decodeQueueEvent, parseMessage, type QueueInput } from '../../shared/platform/fc/events';
import { InvalidInputError } from '../../shared/core/domain/errors';
import { type InputRecord, processBatch } from '../../shared/platform/fc/invocation';
import { NotifyMessage } from '../../shared/core/messages/messages';
import { createNotify } from '../../shared/core/use-cases/notify';

const describe = (input: QueueInput): InputRecord =>
  input.kind === 'invalid' ? { raw: input.raw } : { raw: input.body, messageId: input.messageId };

/** The FC entry of notify: one queue message per job outcome. */
export const makeNotifyHandler =
  (wiring: Wiring): FcHandler =>
  async (event: Buffer, context: FcContext) => {
    const deps = wiring.dependencies(context.credentials);
    const logger = deps.logger.child({ function: 'notify', requestId: context.requestId });
    const notify = createNotify({ ...deps, logger });
    const { results, deadLettered } = await processBatch({
      functionName: 'notify',
      inputs: decodeQueueEvent(event),
      describe,
      run: (input) =>
        input.kind === 'invalid'
          ? Promise.reject(new InvalidInputError(input.reason))
          : notify(parseMessage(NotifyMessage, input.body, input.messageId)),
      logger,
      deadLetters: deps.deadLetters,
      now: () => deps.clock.now(),
    });
    return { results, deadLettered };
  };
