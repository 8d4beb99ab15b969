import { type Clock, secondsBetween } from '../domain/clock';
import { errorCode, errorMessage, isRetryable, RetryableError } from '../domain/errors';
import { ALL_IMAGE_STATES, type CloudImage, ImageState } from '../domain/image';
import { type Job, JobStatus, isTerminal, pendingDeliveryAttempts } from '../domain/job';
import { DISPATCH_LEASE_SECONDS, NOTIFICATION_REQUEUE_SECONDS, webhookRedeliverySeconds } from '../domain/retry-policy';
import { DispatchRequestedV1, encodeMessage } from '../messages/messages';
import type { ImageCloud } from '../ports/image-cloud';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import { findCopyOf } from './find-copy';
import { createJobWriter, type JobWriter, notificationMessage } from './job-writer';

export interface PollStatusDeps {
  readonly images: ImageCloud;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxConcurrentCopiesPerRegion: number;
}

export interface PollStatusOutcome {
  readonly inFlight: number;
  readonly observed: number;
  readonly finished: number;
  readonly notificationsQueued: number;
  readonly dispatchRequested: boolean;
  /** Provider calls made: the cost of one poll. */
  readonly describeCalls: number;
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

/** Some copy slot is free and the job's back-off is over. */
const dispatchable = (job: Job, inFlight: readonly Job[], limit: number, now: Date): boolean => {
  if (job.status !== JobStatus.Queued) return false;
  if (job.notBefore !== undefined && new Date(job.notBefore) > now) return false;
  const running = inFlight.filter(
    (other) => (other.status === JobStatus.Copying || other.status === JobStatus.Dispatching) && other.source.region === job.source.region,
  );
  return running.length < limit && !running.some((other) => other.source.imageId === job.source.imageId);
};

/**
 * poll-status (timer): the provider sends no event when a copy finishes, so this looks. It reads
 * only the jobs in flight, asks each destination region once for the copies started since its
 * oldest running copy, advances the jobs, queues their notifications, and nudges start-copy when
 * a slot frees up so queued jobs start now rather than at the next sweep.
 */
export const createPollStatus = (deps: PollStatusDeps) => {
  const { images, jobs, queues, clock, logger } = deps;
  const writer: JobWriter = createJobWriter(jobs, clock, logger, queues.notify);

  return async (): Promise<PollStatusOutcome> => {
    let describeCalls = 0;
    let observed = 0;
    let finished = 0;
    const listImages: ImageCloud['listImages'] = async (region, query) => {
      describeCalls += 1;
      return images.listImages(region, query);
    };
    // The jobs as this poll left them: steps 4 and 5 work from these instead of reading the table again.
    const latest = new Map<string, Job>();
    const settle = (before: Job, after: Job | undefined) => {
      observed += 1;
      if (after !== undefined) latest.set(after.id, after);
      if (after !== undefined && isTerminal(after.status) && !isTerminal(before.status)) finished += 1;
      return after;
    };

    // One job or region in trouble (a refused cancel, a region we cannot read) must not stop the
    // poll for everybody else: failures are logged per unit, and the first retryable one is
    // rethrown at the end so the invocation still reports it.
    let failure: Error | undefined;
    const isolated = async (unit: Record<string, unknown>, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        logger.error('poll of a unit failed, going on with the others', { ...unit, code: errorCode(error), error: errorMessage(error) });
        if (isRetryable(error)) failure ??= error instanceof Error ? error : new RetryableError('PollFailed', errorMessage(error));
      }
    };

    const inFlight = await jobs.listInFlight();
    for (const job of inFlight) latest.set(job.id, job);

    // 1. Sources still being built: one look per source image.
    const waiting = groupBy(
      inFlight.filter((j) => j.status === JobStatus.WaitingForSource),
      (j) => `${j.source.region}\n${j.source.imageId}`,
    );
    for (const group of waiting.values()) {
      const first = group[0];
      if (first === undefined) continue;
      await isolated({ region: first.source.region, imageId: first.source.imageId }, async () => {
        const [source] = await listImages(first.source.region, { imageId: first.source.imageId, states: ALL_IMAGE_STATES });
        for (const job of group) {
          settle(job, await writer.apply(job, { type: 'source.observed', state: source?.state ?? 'missing', sizeGiB: source?.sizeGiB }));
        }
      });
    }

    // 2. Copies: one paginated listing per destination region, of our copies started since the oldest running one.
    const copying = groupBy(
      inFlight.filter((j) => j.status === JobStatus.Copying && j.destinationImageId !== undefined),
      (j) => j.destination.region,
    );
    for (const [region, group] of copying) {
      const since = group.map((j) => j.copyStartedAt ?? j.updatedAt).sort()[0];
      let byId = new Map<string, CloudImage>();
      await isolated({ region }, async () => {
        // No tag filter: tag filters match at most 1,000 resources, and our tag is on every copy
        // ever made. The creation-time filter alone keeps this to the recent images of the region.
        const listed = await listImages(region, {
          states: ALL_IMAGE_STATES,
          ownedBySelf: true,
          createdSince: since === undefined ? undefined : new Date(new Date(since).getTime() - 120_000),
        });
        byId = new Map(listed.map((image) => [image.id, image]));
      });
      for (const job of group) {
        await isolated({ jobId: job.id, region }, async () => {
          let image: CloudImage | undefined = byId.get(job.destinationImageId ?? '');
          if (image === undefined) {
            // Not in the listing (clock skew, or gone): ask for it by id before calling it lost.
            [image] = await listImages(region, { imageId: job.destinationImageId, states: ALL_IMAGE_STATES });
          }
          settle(job, await observeCopy(job, image));
        });
      }
    }

    // 3. Dispatches whose dispatcher went quiet: find the copy by its tag, or queue the job again.
    const now = clock.now();
    for (const job of inFlight.filter((j) => j.status === JobStatus.Dispatching)) {
      if (secondsBetween(job.updatedAt, now) < DISPATCH_LEASE_SECONDS) continue;
      await isolated({ jobId: job.id }, async () => {
        describeCalls += 1;
        const copy = await findCopyOf(images, job);
        const next =
          copy !== undefined && copy.state !== ImageState.Failed
            ? await writer.apply(job, { type: 'copy.accepted', destinationImageId: copy.id })
            : await writer.apply(job, {
                type: 'dispatch.deferred',
                reason: { code: 'DispatchLeaseExpired', message: 'the dispatcher did not record an answer; trying again with the same token' },
              });
        logger.warn('recovered an abandoned dispatch', { jobId: job.id, foundCopy: copy?.id, status: next?.status });
        settle(job, next);
      });
    }

    // 4. Notifications queued when their job finished but not picked up since (lost send, dead consumer).
    const current = [...latest.values()];
    let notificationsQueued = 0;
    for (const job of current) {
      const requestedAt = job.notification.requestedAt;
      // Past the delay notify asked for itself, plus a margin: that message was lost.
      const stale =
        requestedAt !== undefined &&
        secondsBetween(requestedAt, now) >= NOTIFICATION_REQUEUE_SECONDS + (pendingDeliveryAttempts(job) === 0 ? 0 : webhookRedeliverySeconds(pendingDeliveryAttempts(job)));
      if (!isTerminal(job.status) || !stale) continue;
      const requeued = await writer.apply(job, { type: 'notification.requeued' });
      const message = requeued === undefined ? undefined : notificationMessage(requeued);
      if (message === undefined) continue;
      await queues.notify.send(message);
      notificationsQueued += 1;
    }

    // 5. Free slots: ask start-copy to dispatch now.
    const readyRegions = [
      ...new Set(
        current
          .filter((job) => dispatchable(job, current, deps.maxConcurrentCopiesPerRegion, clock.now()))
          .map((job) => job.source.region),
      ),
    ].sort();
    if (readyRegions.length > 0) {
      await queues.startCopy.send(
        encodeMessage(DispatchRequestedV1, { type: 'dispatch.requested', version: 1, reason: 'poll-status', regions: readyRegions }),
      );
    }

    const outcome = {
      inFlight: inFlight.length,
      observed,
      finished,
      notificationsQueued,
      dispatchRequested: readyRegions.length > 0,
      describeCalls,
    };
    if (inFlight.length > 0) logger.info('poll done', { ...outcome });
    if (failure !== undefined) throw failure;
    return outcome;
  };

  async function observeCopy(job: Job, image: CloudImage | undefined): Promise<Job | undefined> {
    const region = job.destination.region;
    const imageId = job.destinationImageId ?? '';
    const pending = image !== undefined && image.state === ImageState.Pending;
    const overdue = job.copyStartedAt !== undefined && secondsBetween(job.copyStartedAt, clock.now()) > job.copyTimeoutSeconds;
    // Gone after its deadline: most likely our own CancelCopyImage, whose outcome was not recorded.
    if (overdue && (pending || image === undefined)) {
      try {
        if (pending) await images.cancelCopy(region, imageId);
      } catch (error) {
        // Finished or failed in the meantime: the next poll sees its real state.
        if (errorCode(error) === 'IncorrectImageStatus') return undefined;
        if (isRetryable(error)) throw error;
        // Refused for good (CancelNotSupported, permissions): the deadline still stands; say so.
        if (errorCode(error) !== 'InvalidImageId.NotFound') {
          logger.error('the provider refused to cancel an overdue copy; it may still finish', { jobId: job.id, destinationImageId: imageId, code: errorCode(error), error: errorMessage(error) });
        }
      }
      logger.warn('copy cancelled after its timeout', { jobId: job.id, destinationImageId: imageId, timeoutSeconds: job.copyTimeoutSeconds });
      return writer.apply(job, { type: 'copy.timed_out' });
    }
    if (image !== undefined && (image.state === ImageState.Failed || image.state === ImageState.Unavailable)) {
      // A failed copy still holds its name and snapshots: remove it before any retry makes another.
      await images.deleteImage(region, imageId).catch((error: unknown) => {
        logger.warn('could not delete the failed copy', { jobId: job.id, destinationImageId: imageId, code: errorCode(error), error: errorMessage(error) });
        throw error;
      });
    }
    return writer.apply(job, {
      type: 'copy.observed',
      state: image?.state ?? 'missing',
      progressPercent: image?.progressPercent,
    });
  }
};
