import { createStartCopy } from '../../shared/core/use-cases/start-copy';
import { toStartCopyCommand } from '../../shared/platform/fc/commands';
import type { FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { makeHandler } from '../../shared/platform/fc/edge';
import { decodeStartCopyEvent, describeInput, type StartCopyInput } from '../../shared/platform/fc/events';

/** start-copy: timer sweeps, ActionTrail events and queued requests, decoded into commands. */
export const makeStartCopyHandler = (wiring: Wiring): FcHandler =>
  makeHandler<StartCopyInput, unknown>(wiring, {
    functionName: 'start-copy',
    decode: (event, context) => decodeStartCopyEvent(event, { accountId: context.accountId }),
    describe: describeInput,
    requeue: (deps) => deps.queues.startCopy,
    prepare: (deps, logger, deadline) => {
      const startCopy = createStartCopy({ ...deps, deadline });
      return async (input) => {
        const command = toStartCopyCommand(input);
        if (command !== undefined) return startCopy(command);
        logger.info('event ignored', input.kind === 'ignored-event' ? { eventId: input.eventId, reason: input.reason } : {});
        return { input: 'ignored', jobsCreated: 0, jobsReopened: 0 };
      };
    },
  });
