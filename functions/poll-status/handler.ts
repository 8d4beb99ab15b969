import type { FcContext, FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { createPollStatus } from '../../shared/core/use-cases/poll-status';

/** The FC entry of poll-status. Its timer's payload carries nothing it needs. */
export const makePollStatusHandler =
  (wiring: Wiring): FcHandler =>
  async (_event: Buffer, context: FcContext) => {
    const deps = wiring.dependencies(context.credentials);
    const logger = deps.logger.child({ function: 'poll-status', requestId: context.requestId });
    return createPollStatus({ ...deps, logger, limitCap: deps.config.maxConcurrentCopiesPerRegion })();
  };
