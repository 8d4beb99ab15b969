import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { toStartCopyCommand } from '../../shared/platform/fc/commands';
import { decodeStartCopyEvent, type StartCopyInput } from '../../shared/platform/fc/events';
import { processBatch } from '../../shared/platform/fc/invocation';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';

const describe = (input: StartCopyInput): string => {
  switch (input.kind) {
    case 'invalid':
      return input.raw;
    case 'queue-message':
      return `message ${input.messageId}: ${input.body.slice(0, 2048)}`;
    default:
      return JSON.stringify(input);
  }
};

/** The FC entry of start-copy, over whichever wiring runs it (FC or the local runtime). */
export const makeStartCopyHandler =
  (wiring: Wiring): FcHandler =>
  async (event: Buffer, context: FcContext) => {
    const deps = wiring.dependencies(context.credentials);
    const logger = deps.logger.child({ function: 'start-copy', requestId: context.requestId });
    const startCopy = createStartCopy({ ...deps, logger });
    const { results, deadLettered } = await processBatch({
      functionName: 'start-copy',
      inputs: decodeStartCopyEvent(event),
      describe,
      run: async (input) => {
        const command = toStartCopyCommand(input);
        if (command !== undefined) return startCopy(command);
        logger.info('event ignored', input.kind === 'ignored-event' ? { eventId: input.eventId, reason: input.reason } : {});
        return { input: 'ignored', jobsCreated: 0, jobsReopened: 0 };
      },
      logger,
      deadLetters: deps.deadLetters,
      now: () => deps.clock.now(),
    });
    return { results, deadLettered };
  };
