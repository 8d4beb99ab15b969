import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { toStartCopyCommand } from '../../shared/platform/fc/commands';
import { decodeStartCopyEvent, type StartCopyInput } from '../../shared/platform/fc/events';
import { type InputRecord, processBatch } from '../../shared/platform/fc/invocation';
import { createStartCopy } from '../../shared/core/use-cases/start-copy';

const describe = (input: StartCopyInput): InputRecord => {
  switch (input.kind) {
    case 'invalid':
      return { raw: input.raw };
    case 'queue-message':
      return { raw: input.body, messageId: input.messageId };
    default:
      return { raw: JSON.stringify(input) };
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
      inputs: decodeStartCopyEvent(event, { accountId: context.accountId }),
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
