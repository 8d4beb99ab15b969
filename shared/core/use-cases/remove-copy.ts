import { quoteShort } from '../domain/region';
import type { CopyDeleted, CopyInFlight, CopyProvider } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';

/**
 * Removes a copy (retention, a failed leftover, a copy that finished after it was stopped) and
 * says in the log what the provider kept of it: those parts are billed until somebody removes
 * them, so they are never dropped in silence.
 */
export const removeCopy = async (
  provider: Pick<CopyProvider, 'deleteCopy'>,
  copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>,
  logger: Logger,
  jobId: string,
): Promise<CopyDeleted> => {
  const deleted = await provider.deleteCopy(copy);
  const [first] = deleted.leftBehind;
  if (first !== undefined) {
    logger.warn('copy deleted; the provider kept some of its parts, still billed', {
      jobId,
      region: copy.destinationRegion,
      leftBehind: deleted.leftBehind.map((part) => quoteShort(part.id)),
      why: quoteShort(first.why, 200),
    });
  }
  return deleted;
};
