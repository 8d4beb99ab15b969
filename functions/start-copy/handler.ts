import type { FcContext, FcHandler } from '../../shared/fc/context';
import type { Wiring } from '../../shared/fc/dependencies';
import { decodeStartCopyEvent, type StartCopyInput } from '../../shared/fc/events';
import { processBatch } from '../../shared/fc/invocation';
import { createStartCopy } from './start-copy';

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
      run: startCopy,
      logger,
      deadLetters: deps.deadLetters,
      now: () => deps.clock.now(),
    });
    return { results, deadLettered };
  };
