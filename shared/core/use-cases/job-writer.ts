import type { Clock } from '../domain/clock';
import { type ReplicationError, VersionConflictError } from '../domain/errors';
import { type Job, type JobEvent, NotificationStatus, isTerminal } from '../domain/job';
import { tryAdvance } from '../domain/job-transitions';
import { NotificationRequestedV1, encodeMessage } from '../messages/messages';
import { type JobStore, updateJobs } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { MessageQueue } from '../ports/message-queue';

export interface JobWriter {
  /**
   * Applies an event and stores the result. Answers the stored job, or undefined when the event
   * no longer applies (a duplicate or a stale observation) or another writer got there first:
   * in both cases somebody else's decision stands and this one is dropped.
   */
  apply(job: Job, event: JobEvent): Promise<Job | undefined>;
  /**
   * Many `apply`s in one store write where the store batches (progress of thousands of copies in
   * a handful of calls). Answers, per job id, what `apply` would: the stored job, or undefined.
   * A job the store could not write is answered with its error, for the caller to report.
   */
  applyMany(changes: ReadonlyArray<{ readonly job: Job; readonly event: JobEvent }>): Promise<Map<string, Job | undefined | ReplicationError>>;
}

export const notificationMessage = (job: Job): string | undefined =>
  job.notification.status === NotificationStatus.Pending && job.notification.eventId !== undefined
    ? encodeMessage(NotificationRequestedV1, {
        type: 'notification.requested',
        version: 1,
        jobId: job.id,
        eventId: job.notification.eventId,
      })
    : undefined;

const unchanged = (before: Job, after: Job): boolean =>
  JSON.stringify({ ...after, version: before.version, updatedAt: before.updatedAt }) === JSON.stringify(before);

/**
 * The one way use cases change a job. When a job reaches its outcome, its notification is queued
 * right after the write; if the process dies in between, poll-status queues it again later.
 */
export const createJobWriter = (jobs: JobStore, clock: Clock, logger: Logger, notifyQueue: MessageQueue): JobWriter => {
  /** After a write: the log line for a move, and the notification of an outcome. */
  const settled = async (job: Job, stored: Job, event: string): Promise<void> => {
    if (stored.status !== job.status) {
      logger.info('job moved', { jobId: job.id, from: job.status, to: stored.status, event, policy: job.policy });
    }
    const message = isTerminal(stored.status) && !isTerminal(job.status) ? notificationMessage(stored) : undefined;
    if (message !== undefined) await notifyQueue.send(message);
  };

  return {
    async applyMany(changes) {
      const answers = new Map<string, Job | undefined | ReplicationError>();
      const before = new Map<string, Job>();
      const writes: Job[] = [];
      const now = clock.now();
      for (const { job, event } of changes) {
        const next = tryAdvance(job, event, now);
        if (next === undefined) answers.set(job.id, undefined);
        else if (unchanged(job, next)) answers.set(job.id, job);
        else {
          before.set(job.id, job);
          writes.push(next);
        }
      }
      if (writes.length === 0) return answers;
      for (const outcome of await updateJobs(jobs, writes)) {
        if (outcome.status === 'stored') {
          answers.set(outcome.id, outcome.job);
          await settled(before.get(outcome.id) ?? outcome.job, outcome.job, 'batch');
        } else if (outcome.status === 'conflict') {
          logger.info('lost a race for the job, leaving it to the other writer', { jobId: outcome.id });
          answers.set(outcome.id, undefined);
        } else {
          answers.set(outcome.id, outcome.error);
        }
      }
      return answers;
    },

    async apply(job, event) {
      const next = tryAdvance(job, event, clock.now());
      if (next === undefined) {
        logger.debug('event does not apply', { jobId: job.id, status: job.status, event: event.type });
        return undefined;
      }
      // An observation that changes nothing (still copying at 40 %) costs no write: polls stay cheap.
      if (unchanged(job, next)) return job;
      let stored: Job;
      try {
        stored = await jobs.update(next);
      } catch (error) {
        if (error instanceof VersionConflictError) {
          logger.info('lost a race for the job, leaving it to the other writer', { jobId: job.id, event: event.type });
          return undefined;
        }
        throw error;
      }
      await settled(job, stored, event.type);
      return stored;
    },
  };
};
