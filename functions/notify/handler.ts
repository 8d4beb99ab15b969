import type { FcContext, FcHandler } from '../../shared/fc/context';
import type { Wiring } from '../../shared/fc/dependencies';
import { decodeQueueEvent, parseMessage, type QueueInput } from '../../shared/fc/events';
import { InvalidInputError } from '../../shared/domain/errors';
import { processBatch } from '../../shared/fc/invocation';
import { NotifyMessage } from '../../shared/messages/messages';
import { createNotify } from './notify';

const describe = (input: QueueInput): string =>
  input.kind === 'invalid' ? input.raw : `message ${input.messageId}: ${input.body.slice(0, 2048)}`;

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
