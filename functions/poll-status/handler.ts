import { createPollStatus } from '../../shared/core/use-cases/poll-status';
import type { FcHandler } from '../../shared/platform/fc/context';
import type { Wiring } from '../../shared/platform/fc/dependencies';
import { makeHandler } from '../../shared/platform/fc/edge';

/** poll-status: one timer tick is one poll; its payload carries nothing it needs. */
export const makePollStatusHandler = (wiring: Wiring): FcHandler =>
  makeHandler<'tick', unknown>(wiring, {
    functionName: 'poll-status',
    decode: () => ['tick'],
    describe: () => ({ raw: 'timer tick' }),
    prepare: (deps, _logger, deadline) => {
      const poll = createPollStatus({ ...deps, deadline, limitCap: deps.config.maxConcurrentCopiesPerRegion });
      return () => poll();
    },
  });
