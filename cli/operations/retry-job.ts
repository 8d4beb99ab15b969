import { addSeconds, type Clock } from '../../shared/core/domain/clock';
import { type Job, JobStatus, NotificationStatus, isTerminal } from '../../shared/core/domain/job';
import { reopenDelaySeconds } from '../../shared/core/domain/retry-policy';
import { DispatchRequestedV2, encodeMessage } from '../../shared/core/messages/messages';
import type { JobStore } from '../../shared/core/ports/job-store';
import type { Logger } from '../../shared/core/ports/logger';
import type { Queues } from '../../shared/core/ports/message-queue';
import { createJobWriter } from '../../shared/core/use-cases/job-writer';

export type RetryOutcome = { readonly kind: 'queued'; readonly job: Job } | { readonly kind: 'refused'; readonly jobId: string; readonly reason: string };

/**
 * An operator's retry: a failed or timed-out job goes back to `queued` for a new round, and
 * start-copy is asked to dispatch. The domain's rules stand (its `reopened` event): a job under
 * way, done, cancelled or still being notified is refused with the reason, and so is one inside the
 * back-off between rounds, which keeps anybody from restarting a failing copy in a loop.
 */
export const retryJob = async (deps: { jobs: JobStore; queues: Queues; clock: Clock; logger: Logger }, job: Job): Promise<RetryOutcome> => {
  const refuse = (reason: string): RetryOutcome => ({ kind: 'refused', jobId: job.id, reason });
  if (!isTerminal(job.status)) {
    return refuse(`it is still ${job.status.replace(/_/g, ' ')}${job.progressPercent === undefined ? '' : ` (${job.progressPercent}%)`}; a job under way is not retried (cancel it first)`);
  }
  if (job.status === JobStatus.Available) return refuse(`it is already available${job.destinationImageId === undefined ? '' : ` as ${job.destinationImageId}`}`);
  if (job.status === JobStatus.Cancelled) return refuse('it was cancelled, and a cancelled job stays cancelled');
  if (job.notification.status === NotificationStatus.Pending) return refuse('its outcome is still being notified; retry after the next run');
  const now = deps.clock.now();
  const from = job.finishedAt === undefined ? undefined : addSeconds(new Date(job.finishedAt), reopenDelaySeconds(job.round));
  if (from !== undefined && from > now) {
    return refuse(`round ${job.round} ended at ${job.finishedAt ?? ''}; it can be retried from ${from.toISOString()} (each round waits longer, so a failing copy is never restarted in a loop)`);
  }
  const writer = createJobWriter(deps.jobs, deps.clock, deps.logger, deps.queues.notify);
  const reopened = await writer.apply(job, { type: 'reopened' });
  if (reopened === undefined) return refuse('it changed meanwhile; look again with `image-replicator status`');
  await deps.queues.startCopy.send(
    encodeMessage(DispatchRequestedV2, {
      type: 'dispatch.requested',
      version: 2,
      reason: 'operator retry',
      scopes: [{ provider: reopened.provider, account: reopened.account, regions: [reopened.source.region] }],
    }),
  );
  return { kind: 'queued', job: reopened };
};
