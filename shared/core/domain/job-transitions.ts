import { addSeconds, secondsBetween } from './clock';
import { believedProviderSeconds } from './copy-speed';
import { TerminalError } from './errors';
import { ImageState } from './image';
import {
  CopyState,
  DeliveryStatus,
  type Job,
  type JobErrorInput,
  type JobEvent,
  JobStatus,
  type JobNotification,
  type JobSpec,
  type LeftBehind,
  MAX_LEFT_BEHIND,
  MAX_LEFT_BEHIND_ID,
  MAX_LEFT_BEHIND_WHY,
  NotificationStatus,
  isTerminal,
} from './job';
import { withHistory } from './history';
import { printableShort } from './region';
import { firstLookAt } from './look-schedule';
import { copyRetryDelaySeconds, reopenDelaySeconds } from './retry-policy';

/** The event does not apply to the job's current status: a stale or duplicated message. */
export class IllegalTransitionError extends TerminalError {
  constructor(job: Pick<Job, 'id' | 'status'>, event: JobEvent) {
    super('IllegalTransition', `job ${job.id}: '${event.type}' does not apply to status '${job.status}'`, {
      details: { jobId: job.id, status: job.status, event: event.type },
    });
  }
}

const NO_NOTIFICATION: JobNotification = { status: NotificationStatus.None, webhooks: {} };

export const newJob = (
  id: string,
  spec: JobSpec,
  sourceState: ImageState,
  now: Date,
): Job => {
  const at = now.toISOString();
  const base: Job = {
    ...spec,
    id,
    version: 0,
    status: JobStatus.WaitingForSource,
    attempt: 1,
    round: 1,
    createdAt: at,
    updatedAt: at,
    notification: NO_NOTIFICATION,
  };
  const created = sourceState === ImageState.Available ? { ...base, status: JobStatus.Queued } : base;
  return { ...created, history: [{ at, event: 'created' as const, status: created.status, round: 1, attempt: 1 }] };
};

const error = (input: JobErrorInput, now: Date) => ({ code: input.code, message: input.message, at: now.toISOString() });

/** Entering an outcome opens the notification for it, with an event id unique to this outcome. */
const finish = (job: Job, status: JobStatus, now: Date, changes: Partial<Job> = {}): Job => {
  const at = now.toISOString();
  const webhooks = Object.fromEntries(job.webhooks.map((name) => [name, { status: DeliveryStatus.Pending, attempts: 0 }]));
  const notification: JobNotification =
    job.webhooks.length === 0
      ? NO_NOTIFICATION
      : { status: NotificationStatus.Pending, eventId: `${job.id}.r${job.round}.${status}`, requestedAt: at, webhooks };
  return { ...job, ...changes, status, finishedAt: at, notBefore: undefined, notification };
};

/** The provider's ids and answers are kept bounded and on one line: they reach the job's record, webhooks, chat and the CLI. */
const leftBehindOf = (parts: readonly LeftBehind[] | undefined): Partial<Job> =>
  parts === undefined || parts.length === 0
    ? {}
    : { leftBehind: parts.slice(0, MAX_LEFT_BEHIND).map((part) => ({ id: printableShort(part.id, MAX_LEFT_BEHIND_ID), why: printableShort(part.why, MAX_LEFT_BEHIND_WHY) })) };

/** Predictions are kept to the second. */
const PREDICTION_STEP_MS = 1_000;

/**
 * When a copy should finish: the provider's own estimate when it gives one, else its progress rate
 * since it started (a copy is a transfer: its rate is steady enough to aim a look at its end).
 * Providers show whole percents, rounded down: the true progress lies in [p, p + 1), so the middle
 * is taken, which halves the error of the estimate.
 */
const expectedDoneAt = (job: Job, progress: number | undefined, remainingSeconds: number | undefined, now: Date): string | undefined => {
  const round = (ms: number) => new Date(Math.round(ms / PREDICTION_STEP_MS) * PREDICTION_STEP_MS).toISOString();
  if (remainingSeconds !== undefined && remainingSeconds > 0) return round(now.getTime() + remainingSeconds * 1000);
  if (progress === undefined || progress <= 0 || progress >= 100 || job.copyStartedAt === undefined) return undefined;
  const started = new Date(job.copyStartedAt).getTime();
  const elapsed = now.getTime() - started;
  if (elapsed <= 0) return undefined;
  const middle = started + (elapsed * 100) / Math.min(progress + 0.5, 100);
  // A prediction from a few percent is minutes wide: the copy is looked at again before the
  // earliest instant it could end, and predicted anew from a percent that says more.
  const earliest = started + (elapsed * 100) / Math.min(progress + 1, 100);
  const refine = middle - earliest > REFINE_ABOVE_MS && earliest > now.getTime() + REFINE_ABOVE_MS / 30;
  return round(refine ? earliest : middle);
};

/** When a running copy's percent predicts nothing, it is looked at again this much later. */
const UNPREDICTABLE_LOOK_SECONDS = 120;

/** Half the width of a prediction above which a look before it narrows it first. */
const REFINE_ABOVE_MS = 60_000;

/** A job remembers at most this many replicas to copy from. */
const MAX_RELAYS = 16;

/** A failed copy is retried while attempts remain; the last failure is the job's outcome. */
const failOrRetry = (job: Job, failure: JobErrorInput, now: Date): Job => {
  if (job.attempt < job.maxAttempts) {
    return {
      ...job,
      // A replica that failed us (deleted, broken) is not tried again.
      relay: undefined,
      attemptFromSource: undefined,
      relays: job.relay === undefined ? job.relays : (job.relays ?? []).filter((r) => r.imageId !== job.relay?.imageId),
      expectedDoneAt: undefined,
      status: JobStatus.Queued,
      attempt: job.attempt + 1,
      copyHandle: undefined,
      destinationImageId: undefined,
      progressPercent: undefined,
      remainingSeconds: undefined,
      copyStartedAt: undefined,
      copyAdopted: undefined,
      lastError: error(failure, now),
      notBefore: addSeconds(now, copyRetryDelaySeconds(job.attempt)).toISOString(),
    };
  }
  return finish(job, JobStatus.Failed, now, { lastError: error(failure, now) });
};

const SOURCE_MISSING: JobErrorInput = {
  code: 'SourceImageNotFound',
  message: 'the source image does not exist in its region',
};
const SOURCE_FAILED: JobErrorInput = { code: 'SourceImageFailed', message: 'the source image failed to build' };
const COPY_VANISHED: JobErrorInput = {
  code: 'CopyVanished',
  message: 'the copy disappeared from the destination region before it became available',
};
const COPY_FAILED: JobErrorInput = { code: 'CopyFailed', message: 'the provider reported the copy as failed' };

const decide = (job: Job, event: JobEvent, now: Date): Job | undefined => {
  switch (event.type) {
    case 'source.observed': {
      if (job.status !== JobStatus.WaitingForSource) return undefined;
      const source = event.sizeGiB === undefined ? job.source : { ...job.source, sizeGiB: event.sizeGiB };
      switch (event.state) {
        case ImageState.Available:
          return { ...job, source, status: JobStatus.Queued };
        case ImageState.Pending:
          return { ...job, source };
        case ImageState.Failed:
        case ImageState.Unavailable:
          return finish(job, JobStatus.Failed, now, { lastError: error(SOURCE_FAILED, now) });
        case 'missing':
          return finish(job, JobStatus.Failed, now, { lastError: error(SOURCE_MISSING, now) });
      }
      return undefined;
    }
    case 'dispatch.claimed':
      // An attempt keeps the source it started with: a retry of it must ask the same thing again.
      return job.status === JobStatus.Queued
        ? {
            ...job,
            status: JobStatus.Dispatching,
            notBefore: undefined,
            relay: job.relay ?? event.relay,
            attemptFromSource: (job.relay ?? event.relay) === undefined ? true : undefined,
          }
        : undefined;
    case 'relay.available':
      return (job.status === JobStatus.Queued || job.status === JobStatus.WaitingForSource) &&
        !(job.relays ?? []).some((r) => r.imageId === event.relay.imageId) &&
        event.relay.region !== job.destination.region
        ? { ...job, relays: [...(job.relays ?? []), event.relay].slice(-MAX_RELAYS) }
        : undefined;
    case 'copy.accepted':
      return job.status === JobStatus.Dispatching
        ? {
            ...job,
            status: JobStatus.Copying,
            copyHandle: event.handle,
            destinationImageId: event.destinationImageId,
            route: event.route ?? job.route,
            progressPercent: 0,
            copyStartedAt: now.toISOString(),
            copyAdopted: event.adopted === true ? true : undefined,
            providerCopySeconds: undefined,
            expectedDoneAt: event.adopted === true ? undefined : firstLookAt(now, event.expectedSeconds)?.toISOString(),
          }
        : undefined;
    case 'dispatch.deferred':
      return job.status === JobStatus.Dispatching
        ? {
            ...job,
            status: JobStatus.Queued,
            lastError: error(event.reason, now),
            notBefore: event.retryAt?.toISOString(),
          }
        : undefined;
    case 'dispatch.rejected':
      return job.status === JobStatus.Dispatching
        ? finish(job, JobStatus.Failed, now, { lastError: error(event.error, now) })
        : undefined;
    case 'copy.observed': {
      if (job.status !== JobStatus.Copying) return undefined;
      const learned = {
        copyHandle: event.handle ?? job.copyHandle,
        destinationImageId: event.destinationImageId ?? job.destinationImageId,
      };
      switch (event.state) {
        case CopyState.Running:
          return {
            ...job,
            ...learned,
            progressPercent: event.progressPercent ?? job.progressPercent,
            remainingSeconds: event.remainingSeconds ?? job.remainingSeconds,
            // No prediction from 0 % (waiting at the provider) or 100 % (not yet called done): look
            // again a little later rather than keep a stale instant every look would find due.
            expectedDoneAt: expectedDoneAt(job, event.progressPercent, event.remainingSeconds, now) ?? addSeconds(now, UNPREDICTABLE_LOOK_SECONDS).toISOString(),
          };
        case CopyState.Available: {
          // Only a figure that fits what we saw of the copy: anything else is as good as none.
          const providerCopySeconds = believedProviderSeconds(job, event.copySeconds, now);
          const ended = { ...learned, progressPercent: 100, remainingSeconds: undefined, providerCopySeconds };
          // Shared before it is called available: the accounts that need it hear about it with it.
          return (job.shareWith?.length ?? 0) > 0
            ? { ...job, ...ended, status: JobStatus.Sharing }
            : finish(job, JobStatus.Available, now, { ...ended, lastError: undefined });
        }
        case CopyState.Failed:
          return failOrRetry(job, event.error ?? COPY_FAILED, now);
        case CopyState.Missing:
          return failOrRetry(job, event.error ?? COPY_VANISHED, now);
      }
      return undefined;
    }
    case 'copy.stopping':
      return job.status === JobStatus.Copying
        ? { ...job, status: JobStatus.Stopping, stop: { outcome: event.outcome, reason: event.reason, since: now.toISOString() } }
        : undefined;
    case 'copy.stopped': {
      if (job.status !== JobStatus.Stopping || job.stop === undefined) return undefined;
      const left = event.abandoned === true ? '; the provider could not stop it and it never ended, so it may still be in the destination' : '';
      const failure =
        job.stop.outcome === JobStatus.TimedOut
          ? { code: 'CopyTimedOut', message: `the copy did not finish within ${job.copyTimeoutSeconds} s and was stopped${left}` }
          : { code: 'Cancelled', message: `${job.stop.reason ?? 'cancelled'}${left}` };
      return finish(job, job.stop.outcome, now, { stop: undefined, lastError: error(failure, now) });
    }
    case 'copy.resumed':
      return job.status === JobStatus.Stopping ? { ...job, status: JobStatus.Copying, stop: undefined } : undefined;
    case 'share.completed':
      return job.status === JobStatus.Sharing
        ? finish(job, JobStatus.Available, now, { sharedWith: [...event.accounts], shareAwaitsAcceptance: event.awaitingAcceptance === true ? true : undefined, lastError: undefined })
        : undefined;
    case 'share.refused':
      // The copy is good and stays; the job says it could not be shared, and why.
      return job.status === JobStatus.Sharing ? finish(job, JobStatus.Failed, now, { lastError: error(event.error, now) }) : undefined;
    case 'deprecated':
      return job.status === JobStatus.Available && notificationSettled(job)
        ? { ...job, status: JobStatus.Deprecated, deprecatedAt: now.toISOString() }
        : undefined;
    case 'prune.started':
      return (job.status === JobStatus.Available || job.status === JobStatus.Deprecated) && notificationSettled(job)
        ? { ...job, status: JobStatus.Pruning, lastError: undefined, copyHandle: event.handle ?? job.copyHandle }
        : undefined;
    case 'prune.completed':
      return job.status === JobStatus.Pruning ? finish(job, JobStatus.Pruned, now, leftBehindOf(event.leftBehind)) : undefined;
    case 'prune.imageGone':
      if (job.status !== JobStatus.Pruning) return undefined;
      // The same failure pass after pass (a missing permission) is recorded once, not written every pass.
      if (job.imageGoneAt !== undefined && job.lastError?.code === event.error.code && job.lastError.message === event.error.message) return job;
      return { ...job, imageGoneAt: job.imageGoneAt ?? now.toISOString(), lastError: error(event.error, now) };
    case 'prune.refused':
      // A copy whose image is gone is never available again: its deletion goes on instead.
      return job.status === JobStatus.Pruning && job.imageGoneAt === undefined
        ? { ...job, status: job.deprecatedAt === undefined ? JobStatus.Available : JobStatus.Deprecated, lastError: error(event.error, now) }
        : undefined;
    case 'cancelled':
      // A copy that exists is not cancelled: retention deletes it, on purpose and on the record.
      // A running copy is stopped first (copy.stopping), so that it is never left behind untracked.
      if (job.status === JobStatus.Pruning || job.status === JobStatus.Sharing) return undefined;
      if (job.status === JobStatus.Copying || job.status === JobStatus.Stopping) return undefined;
      return isTerminal(job.status)
        ? undefined
        : finish(job, JobStatus.Cancelled, now, { lastError: error({ code: 'Cancelled', message: event.reason }, now) });
    case 'reopened':
      // Not while the last outcome is still being told: its notification would describe the new round.
      // Not again and again either: whoever can send a request (the queue is a trust boundary) could
      // otherwise restart a failing copy in a loop. Each round waits longer before it may be reopened.
      return (job.status === JobStatus.Failed || job.status === JobStatus.TimedOut) &&
        job.notification.status !== NotificationStatus.Pending &&
        (job.finishedAt === undefined || secondsBetween(job.finishedAt, now) >= reopenDelaySeconds(job.round))
        ? {
            ...job,
            status: JobStatus.Queued,
            round: job.round + 1,
            attempt: 1,
            copyHandle: undefined,
            destinationImageId: undefined,
            relay: undefined,
            attemptFromSource: undefined,
            expectedDoneAt: undefined,
            progressPercent: undefined,
            remainingSeconds: undefined,
            copyStartedAt: undefined,
            copyAdopted: undefined,
            finishedAt: undefined,
            providerCopySeconds: undefined,
            notBefore: undefined,
            // A reopened job keeps its last error for the record; its new outcome will be notified anew.
            notification: NO_NOTIFICATION,
          }
        : undefined;
    case 'notification.requeued':
      // Restarts the requeue clock so a notification nobody picks up is asked for again, not in a loop.
      return job.notification.status === NotificationStatus.Pending
        ? { ...job, notification: { ...job.notification, requestedAt: now.toISOString() } }
        : undefined;
    case 'webhook.delivered':
    case 'webhook.failed':
      return recordDelivery(job, event, now);
  }
};

/** A new outcome may not start while the last one is still being told. */
const notificationSettled = (job: Job): boolean => job.notification.status !== NotificationStatus.Pending;

const recordDelivery = (
  job: Job,
  event: Extract<JobEvent, { type: 'webhook.delivered' | 'webhook.failed' }>,
  now: Date,
): Job | undefined => {
  const current = job.notification.webhooks[event.webhook];
  if (
    job.notification.status !== NotificationStatus.Pending ||
    job.notification.eventId !== event.eventId ||
    current?.status !== DeliveryStatus.Pending
  ) {
    return undefined;
  }
  const delivery =
    event.type === 'webhook.delivered'
      ? { status: DeliveryStatus.Delivered, attempts: current.attempts + 1, deliveredAt: now.toISOString() }
      : {
          status: event.giveUp ? DeliveryStatus.GaveUp : DeliveryStatus.Pending,
          attempts: current.attempts + 1,
          lastError: event.error,
        };
  const webhooks = { ...job.notification.webhooks, [event.webhook]: delivery };
  const states = Object.values(webhooks).map((w) => w.status);
  const status = states.includes(DeliveryStatus.Pending)
    ? NotificationStatus.Pending
    : states.includes(DeliveryStatus.GaveUp)
      ? NotificationStatus.GaveUp
      : NotificationStatus.Delivered;
  return { ...job, notification: { ...job.notification, status, webhooks } };
};

/**
 * Applies an event to a job. Pure: returns the next job (version and timestamps advanced) or
 * throws IllegalTransitionError when the event does not apply to the job's status.
 */
export const advance = (job: Job, event: JobEvent, now: Date): Job => {
  const next = decide(job, event, now);
  if (next === undefined) throw new IllegalTransitionError(job, event);
  return { ...withHistory(job, next, event, now), version: job.version + 1, updatedAt: now.toISOString() };
};

/** Like advance, but answers undefined instead of throwing: for duplicates and stale observations. */
export const tryAdvance = (job: Job, event: JobEvent, now: Date): Job | undefined => {
  const next = decide(job, event, now);
  return next === undefined ? undefined : { ...withHistory(job, next, event, now), version: job.version + 1, updatedAt: now.toISOString() };
};
