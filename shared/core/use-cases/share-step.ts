import { type Job, JobStatus } from '../domain/job';
import type { CopyProviders } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';
import type { JobWriter } from './job-writer';

/**
 * The step after a copy is available, when its destination shares it: share with the accounts
 * the policy names (idempotent at the provider), then the job is available and says with whom. A
 * refusal for good ends the job failed with the reason, and the copy stays; anything retryable is
 * thrown and the next poll tries again.
 */
export const shareStep = async (deps: { providers: CopyProviders; writer: JobWriter; logger: Logger }, job: Job): Promise<Job | undefined> => {
  if (job.status !== JobStatus.Sharing || job.destinationImageId === undefined) return undefined;
  const accounts = job.shareWith ?? [];
  const provider = deps.providers.get(job.provider, job.account);
  const result = await provider.shareImage({ region: job.destination.region, imageId: job.destinationImageId, handle: job.copyHandle }, accounts);
  if (result.kind === 'shared') {
    const awaitingAcceptance = provider.sharesAwaitAcceptance === true;
    deps.logger.info('copy shared', { jobId: job.id, destinationImageId: job.destinationImageId, accounts: result.accounts.length, awaitingAcceptance });
    return deps.writer.apply(job, { type: 'share.completed', accounts: result.accounts, awaitingAcceptance });
  }
  deps.logger.error('the provider refused to share the copy', { jobId: job.id, code: result.code, error: result.message });
  return deps.writer.apply(job, { type: 'share.refused', error: { code: result.code, message: result.message } });
};
