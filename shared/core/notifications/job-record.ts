import type { Clock } from '../domain/clock';
import { VersionConflictError } from '../domain/errors';
import type { Job, JobEvent } from '../domain/job';
import { tryAdvance } from '../domain/job-transitions';
import type { JobStore } from '../ports/job-store';

/**
 * Records a delivery event on a job, re-reading when a concurrent writer moved it. The job's
 * transitions ignore an event that no longer applies (another run delivered it, the job moved on
 * to another outcome), so recording twice is harmless. Answers the job as stored afterwards.
 */
export const recordJobEvent = async (jobs: JobStore, clock: Clock, job: Job, event: JobEvent): Promise<Job> => {
  let current = job;
  for (let tries = 0; tries < 3; tries += 1) {
    const next = tryAdvance(current, event, clock.now());
    if (next === undefined) return current;
    try {
      return await jobs.update(next);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const fresh = await jobs.get(job.id);
      if (fresh === undefined) return current;
      current = fresh;
    }
  }
  return current;
};
