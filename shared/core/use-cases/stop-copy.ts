import type { Clock } from '../domain/clock';
import { secondsBetween } from '../domain/clock';
import { errorMessage, RetryableError } from '../domain/errors';
import { CopyState, type Job, JobStatus } from '../domain/job';
import type { CopyInFlight, CopyObservation, CopyProvider } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';
import type { JobWriter } from './job-writer';
import { removeCopy, sayLeftBehind } from './remove-copy';

/**
 * A copy the provider cannot stop is watched this long after the decision to stop it; if it has
 * still not ended, the job records its outcome and says the copy may remain (logged as an error).
 */
export const STOP_GIVE_UP_SECONDS = 24 * 3600;

export interface StopCopyDeps {
  readonly writer: JobWriter;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Takes a `stopping` job one step towards its outcome, from what is known of its copy: a running
 * copy is cancelled (again: cancelling is idempotent); one the provider cannot cancel is left to
 * end, then deleted; a copy that is gone ends the job. Answers the job as stored afterwards.
 * Whatever goes wrong (a cancel that keeps failing, a copy that cannot be seen), a job stops
 * waiting STOP_GIVE_UP_SECONDS after the decision and says its copy may remain.
 */
export const stopCopy = async (
  deps: StopCopyDeps,
  provider: CopyProvider,
  job: Job,
  copy: CopyInFlight,
  observation: CopyObservation,
): Promise<Job | undefined> => {
  if (job.status !== JobStatus.Stopping) return undefined;
  const expired = secondsBetween(job.stop?.since ?? job.updatedAt, deps.clock.now()) >= STOP_GIVE_UP_SECONDS;
  try {
    return await step(deps, provider, job, copy, observation, expired);
  } catch (error) {
    if (!expired) throw error;
    return giveUp(deps, job, errorMessage(error));
  }
};

const giveUp = (deps: StopCopyDeps, job: Job, why: string): Promise<Job | undefined> => {
  deps.logger.error('a copy could not be stopped in time; it may remain in the destination', {
    jobId: job.id,
    destinationRegion: job.destination.region,
    destinationImageId: job.destinationImageId,
    why,
  });
  return deps.writer.apply(job, { type: 'copy.stopped', abandoned: true });
};

const step = async (
  deps: StopCopyDeps,
  provider: CopyProvider,
  job: Job,
  copy: CopyInFlight,
  observation: CopyObservation,
  expired: boolean,
): Promise<Job | undefined> => {
  const { writer, logger } = deps;
  const target = { handle: copy.handle, destinationRegion: job.destination.region };
  switch (observation.state) {
    case 'unobserved':
      if (observation.retryable) throw new RetryableError(observation.code, observation.message);
      return expired ? giveUp(deps, job, observation.message) : job;
    case CopyState.Running: {
      const result = await provider.cancelCopy(copy);
      switch (result.kind) {
        case 'too-late':
          // It ended between the look and the cancel. A timeout lets that end stand (the next look
          // sees how); an operator's cancel does not: the next look deletes what it finds.
          return job.stop?.outcome === JobStatus.TimedOut ? writer.apply(job, { type: 'copy.resumed' }) : job;
        case 'unsupported':
          if (expired) return giveUp(deps, job, 'the provider cannot stop it and it never ended');
          logger.debug('waiting for a copy the provider cannot stop, to delete it when it ends', { jobId: job.id, destinationImageId: job.destinationImageId });
          return job;
        case 'cancelled':
          sayLeftBehind(logger, job.id, copy.destinationRegion, result.leftBehind);
          return writer.apply(job, { type: 'copy.stopped' });
        case 'not-found':
          // Seen running a moment ago: not found now may be the provider's lag, not the end. A look
          // that finds nothing ends the job; one that finds the copy deletes it.
          return expired ? giveUp(deps, job, 'the provider does not find it') : job;
      }
      return undefined;
    }
    case CopyState.Available:
      // It finished after all: the outcome was decided, and a copy nobody asked for is billed forever.
      await removeCopy(provider, { ...target, handle: observation.handle ?? target.handle }, logger, job.id, 'leave');
      logger.warn('deleted a copy that finished after it was stopped', { jobId: job.id, destinationImageId: observation.imageId ?? job.destinationImageId });
      return writer.apply(job, { type: 'copy.stopped' });
    case CopyState.Failed:
      if (observation.leftover) await removeCopy(provider, target, logger, job.id, 'leave');
      return writer.apply(job, { type: 'copy.stopped' });
    case CopyState.Missing:
      return writer.apply(job, { type: 'copy.stopped' });
  }
  return undefined;
};
