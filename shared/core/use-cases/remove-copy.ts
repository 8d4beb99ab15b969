import { quoteShort } from '../domain/region';
import type { CopyDeleted, CopyInFlight, CopyProvider, LeftBehind } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';

/** Says in the log what the provider kept of a copy it removed: those parts are billed until somebody removes them. */
export const sayLeftBehind = (logger: Logger, jobId: string, region: string, parts: readonly LeftBehind[] | undefined): void => {
  const [first] = parts ?? [];
  if (first === undefined) return;
  logger.warn('copy deleted; the provider kept some of its parts, still billed', {
    jobId,
    region,
    leftBehind: (parts ?? []).map((part) => quoteShort(part.id)),
    why: quoteShort(first.why, 200),
  });
};

/**
 * Removes a copy (retention, a failed leftover, a copy that finished after it was stopped) and
 * says in the log what the provider kept of it, so those parts are never dropped in silence.
 */
export const removeCopy = async (
  provider: Pick<CopyProvider, 'deleteCopy'>,
  copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>,
  logger: Logger,
  jobId: string,
): Promise<CopyDeleted> => {
  const deleted = await provider.deleteCopy(copy);
  sayLeftBehind(logger, jobId, copy.destinationRegion, deleted.leftBehind);
  return deleted;
};
