import type { Clock } from '../domain/clock';
import { RetryableError, TerminalError } from '../domain/errors';
import { type Job, JobStatus, isTerminal } from '../domain/job';
import type { CopyProviders } from '../ports/copy-provider';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import { createJobWriter } from './job-writer';
import { copyInFlightOf } from './poll-status';
import { stopCopy } from './stop-copy';

export interface CancelJobDeps {
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * An operator stops a job: a running copy is cancelled at the provider (which removes the partial
 * image), and the job ends `cancelled` and is notified like any other outcome.
 */
export const createCancelJob = (deps: CancelJobDeps) => {
  const writer = createJobWriter(deps.jobs, deps.clock, deps.logger, deps.queues.notify);
  return async (jobId: string, reason: string): Promise<Job> => {
    const job = await deps.jobs.get(jobId);
    if (job === undefined) throw new TerminalError('JobNotFound', `no job ${jobId}`);
    if (isTerminal(job.status)) throw new TerminalError('JobFinished', `job ${jobId} already ended ${job.status}`);
    // The provider's copy call may be in flight: cancelling now could leave a copy nobody tracks.
    if (job.status === JobStatus.Dispatching) {
      throw new RetryableError('JobDispatching', `job ${jobId} is starting its copy; try again in a minute`);
    }
    if (job.status === JobStatus.Stopping) throw new TerminalError('JobStopping', `job ${jobId} is already stopping its copy`);
    if (job.status === JobStatus.Copying) return stopRunningCopy(job, reason);
    const cancelled = await writer.apply(job, { type: 'cancelled', reason });
    if (cancelled === undefined) throw new RetryableError('VersionConflict', `job ${jobId} changed meanwhile; try again`);
    deps.logger.info('job cancelled', { jobId, reason, destinationImageId: job.destinationImageId });
    return cancelled;
  };

  /**
   * A running copy: the decision is stored first, then the copy is cancelled. One the provider
   * cannot stop, or that ended meanwhile, leaves the job `stopping`: poll-status deletes the copy
   * once it has ended (no one was told it was available), and the job records `cancelled` then.
   */
  async function stopRunningCopy(job: Job, reason: string): Promise<Job> {
    const stopping = await writer.apply(job, { type: 'copy.stopping', outcome: JobStatus.Cancelled, reason });
    if (stopping === undefined) throw new RetryableError('VersionConflict', `job ${job.id} changed meanwhile; try again`);
    const provider = deps.providers.get(job.provider, job.account);
    const after = (await stopCopy({ writer, clock: deps.clock, logger: deps.logger }, provider, stopping, copyInFlightOf(stopping), { state: 'running' })) ?? stopping;
    if (after.status === JobStatus.Stopping) {
      deps.logger.warn('the provider cannot stop this copy: it is deleted when it ends, and the job records cancelled then', { jobId: job.id });
    } else {
      deps.logger.info('job cancelled', { jobId: job.id, reason, destinationImageId: job.destinationImageId });
    }
    return after;
  }
};
