import { errorMessage, PartialDeletionError } from '../domain/errors';
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
 *
 * `partlyDeleted: 'leave'` is for a leftover whose job goes on without it (a failed copy retried,
 * a stopped copy): a part that failed for good once the copy went (CopyPartlyDeleted, terminal) is
 * left behind and said, rather than holding the job. Retention keeps the default, `'throw'`: its
 * job records the partial deletion and goes on with it.
 */
export const removeCopy = async (
  provider: Pick<CopyProvider, 'deleteCopy'>,
  copy: Pick<CopyInFlight, 'handle' | 'destinationRegion'>,
  logger: Logger,
  jobId: string,
  partlyDeleted: 'throw' | 'leave' = 'throw',
): Promise<CopyDeleted> => {
  let deleted: CopyDeleted;
  try {
    deleted = await provider.deleteCopy(copy);
  } catch (error) {
    if (partlyDeleted === 'throw' || !(error instanceof PartialDeletionError) || error.retryable) throw error;
    deleted = { leftBehind: partsLeftBy(error) };
  }
  sayLeftBehind(logger, jobId, copy.destinationRegion, deleted.leftBehind);
  return deleted;
};

/** What a partial deletion given up leaves: every part it had not deleted, with its failure as the reason. */
export const partsLeftBy = (error: PartialDeletionError): LeftBehind[] => error.remaining.map((id) => ({ id, why: errorMessage(error) }));
