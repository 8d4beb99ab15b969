import type { Clock } from '../domain/clock';
import { secondsBetween } from '../domain/clock';
import { CopyState, type Job, JobStatus } from '../domain/job';
import type { CopyInFlight, CopyObservation, CopyProvider } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';
import type { JobWriter } from './job-writer';

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
 */
export const stopCopy = async (
  deps: StopCopyDeps,
  provider: CopyProvider,
  job: Job,
  copy: CopyInFlight,
  observation: Exclude<CopyObservation, { state: 'unobserved' }>,
): Promise<Job | undefined> => {
  const { writer, logger } = deps;
  if (job.status !== JobStatus.Stopping) return undefined;
  const target = { handle: copy.handle, destinationRegion: job.destination.region };
  switch (observation.state) {
    case CopyState.Running: {
      const result = await provider.cancelCopy(copy);
      switch (result.kind) {
        case 'too-late':
          // It ended between the look and the cancel: the next look sees how, and that stands.
          return writer.apply(job, { type: 'copy.resumed' });
        case 'unsupported': {
          const since = job.stop?.since ?? job.updatedAt;
          if (secondsBetween(since, deps.clock.now()) < STOP_GIVE_UP_SECONDS) {
            logger.debug('waiting for a copy the provider cannot stop, to delete it when it ends', { jobId: job.id, destinationImageId: job.destinationImageId });
            return job;
          }
          logger.error('a copy the provider cannot stop never ended; it may remain in the destination', {
            jobId: job.id,
            destinationRegion: job.destination.region,
            destinationImageId: job.destinationImageId,
          });
          return writer.apply(job, { type: 'copy.stopped', abandoned: true });
        }
        case 'cancelled':
        case 'not-found':
          return writer.apply(job, { type: 'copy.stopped' });
      }
      return undefined;
    }
    case CopyState.Available:
      // It finished after all: the outcome was decided, and a copy nobody asked for is billed forever.
      await provider.deleteCopy({ ...target, handle: observation.handle ?? target.handle });
      logger.warn('deleted a copy that finished after it was stopped', { jobId: job.id, destinationImageId: observation.imageId ?? job.destinationImageId });
      return writer.apply(job, { type: 'copy.stopped' });
    case CopyState.Failed:
      if (observation.leftover) await provider.deleteCopy(target);
      return writer.apply(job, { type: 'copy.stopped' });
    case CopyState.Missing:
      return writer.apply(job, { type: 'copy.stopped' });
  }
  return undefined;
};
