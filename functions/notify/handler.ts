import { InvalidInputError } from '../../shared/core/domain/errors';
import { NotifyMessage } from '../../shared/core/messages/messages';
import { createNotify } from '../../shared/core/use-cases/notify';
import type { FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { makeHandler } from '../../shared/platform/fc/edge';
import { decodeQueueEvent, describeInput, parseMessage, type QueueInput } from '../../shared/platform/fc/events';

/** notify: one queue message per job outcome. */
export const makeNotifyHandler = (wiring: Wiring): FcHandler =>
  makeHandler<QueueInput, unknown>(wiring, {
    functionName: 'notify',
    decode: (event) => decodeQueueEvent(event),
    describe: describeInput,
    requeue: (deps) => deps.queues.notify,
    prepare: (deps) => {
      const notify = createNotify(deps);
      return (input) =>
        input.kind === 'invalid' ? Promise.reject(new InvalidInputError(input.reason)) : notify(parseMessage(NotifyMessage, input.body, input.messageId));
    },
  });
