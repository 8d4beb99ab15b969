import { addSeconds, type Clock } from '../domain/clock';
import { errorCode, errorMessage, isRetryable } from '../domain/errors';
import { type Job, JobStatus, isRunning } from '../domain/job';
import { clientTokenFor } from '../domain/job-id';
import { DISPATCH_DEFER_SECONDS } from '../domain/retry-policy';
import type { ImageCloud } from '../ports/image-cloud';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import { findCopyOf } from './find-copy';
import type { JobWriter } from './job-writer';

export interface DispatchDeps {
  readonly images: ImageCloud;
  readonly jobs: JobStore;
  readonly writer: JobWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxConcurrentCopiesPerRegion: number;
}

export interface DispatchOutcome {
  readonly started: number;
  readonly deferred: number;
  readonly rejected: number;
  /** Queued jobs left waiting for a slot, a busy source image or their back-off. */
  readonly waiting: number;
}

/** The provider said "not now": another copy of this source runs, or we are going too fast. */
const DEFER_CODES = new Set(['OperationDenied.ImageCopyConflict', 'OperationDenied.ImageCopying', 'InvalidOperation.Conflict']);
const isThrottling = (error: unknown): boolean => /^Throttling/.test(errorCode(error));

const sourceKey = (job: Job): string => `${job.source.region}/${job.source.imageId}`;

/** A running copy, or a claim older than `mine` (ties broken by id): it holds its slot before mine. */
const claimedBefore = (other: Job, mine: Job): boolean =>
  other.status === JobStatus.Copying ||
  (other.status === JobStatus.Dispatching && (other.updatedAt < mine.updatedAt || (other.updatedAt === mine.updatedAt && other.id < mine.id)));

/** Answers that leave it unknown whether the copy started: retried with the same token, never failed. */
const UNKNOWN_OUTCOME_CODES = new Set(['EcsUnexpectedResponse']);

/**
 * Starts as many queued copies as the provider allows: at most N running per source region and
 * one per source image, oldest first. Each job is claimed with a conditional write before
 * CopyImage is called, so two dispatchers never start the same job.
 */
export const createDispatch =
  (deps: DispatchDeps) =>
  async (regions?: readonly string[]): Promise<DispatchOutcome> => {
    const { images, jobs, writer, clock, logger } = deps;
    const inFlight = await jobs.listInFlight();
    const runningPerRegion = new Map<string, number>();
    const busySources = new Set<string>();
    for (const job of inFlight.filter((j) => isRunning(j.status))) {
      runningPerRegion.set(job.source.region, (runningPerRegion.get(job.source.region) ?? 0) + 1);
      busySources.add(sourceKey(job));
    }
    const now = clock.now();
    const queued = inFlight
      .filter((job) => job.status === JobStatus.Queued)
      .filter((job) => regions === undefined || regions.includes(job.source.region))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

    let started = 0;
    let deferred = 0;
    let rejected = 0;
    let waiting = 0;
    let throttled = false;
    for (const job of queued) {
      const running = runningPerRegion.get(job.source.region) ?? 0;
      const backingOff = job.notBefore !== undefined && new Date(job.notBefore) > now;
      if (throttled || backingOff || running >= deps.maxConcurrentCopiesPerRegion || busySources.has(sourceKey(job))) {
        waiting += 1;
        continue;
      }
      const claimed = await writer.apply(job, { type: 'dispatch.claimed' });
      if (claimed === undefined) continue;
      runningPerRegion.set(job.source.region, running + 1);
      busySources.add(sourceKey(job));
      const log = logger.child({ jobId: job.id, source: sourceKey(job), destination: job.destination.region });

      // Another dispatch pass may have claimed in the same moment (every CopyImage we make comes
      // back as an ActionTrail event): the claims made before ours win, ours steps back.
      const contenders = (await jobs.listInFlight()).filter((other) => other.id !== claimed.id && claimedBefore(other, claimed));
      const sameRegion = contenders.filter((other) => other.source.region === job.source.region);
      if (sameRegion.length >= deps.maxConcurrentCopiesPerRegion || sameRegion.some((other) => sourceKey(other) === sourceKey(job))) {
        await writer.apply(claimed, { type: 'dispatch.deferred', reason: { code: 'CapacityTaken', message: 'another dispatcher took the slot first' } });
        runningPerRegion.set(job.source.region, running);
        waiting += 1;
        continue;
      }

      try {
        const { imageId } = await images.copyImage({
          sourceRegion: job.source.region,
          sourceImageId: job.source.imageId,
          destinationRegion: job.destination.region,
          name: job.destination.imageName,
          description: job.destination.description,
          encrypted: job.destination.encrypted,
          kmsKeyId: job.destination.kmsKeyId,
          tags: job.destination.tags,
          idempotencyToken: clientTokenFor(claimed),
        });
        await writer.apply(claimed, { type: 'copy.accepted', destinationImageId: imageId });
        log.info('copy started', { destinationImageId: imageId, attempt: claimed.attempt });
        started += 1;
        continue;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'InvalidImageName.Duplicated') {
          // A re-run after a lost answer, or a copy made before our table existed: adopt it if it is ours.
          const existing = await findCopyOf(images, claimed);
          if (existing !== undefined && existing.state !== 'failed') {
            await writer.apply(claimed, { type: 'copy.accepted', destinationImageId: existing.id });
            log.info('adopted the copy that already exists', { destinationImageId: existing.id });
            started += 1;
            continue;
          }
        }
        // A refusal means our copy did not start: its slot is free again. The source stays busy on a
        // conflict (somebody else's copy of it runs) and on a lost answer (ours may be running).
        const refused = (DEFER_CODES.has(code) || isThrottling(error) || !isRetryable(error)) && !UNKNOWN_OUTCOME_CODES.has(code);
        if (refused) runningPerRegion.set(job.source.region, running);
        if (refused && !DEFER_CODES.has(code)) busySources.delete(sourceKey(job));
        if (DEFER_CODES.has(code) || isRetryable(error) || UNKNOWN_OUTCOME_CODES.has(code)) {
          // Throttling slows the whole dispatch down instead of failing jobs; a lost answer is
          // retried later with the same ClientToken, which answers the copy already made.
          throttled ||= isThrottling(error);
          await writer.apply(claimed, {
            type: 'dispatch.deferred',
            reason: { code, message: errorMessage(error) },
            retryAt: addSeconds(clock.now(), DISPATCH_DEFER_SECONDS),
          });
          log.warn('copy deferred', { code, error: errorMessage(error) });
          deferred += 1;
        } else {
          await writer.apply(claimed, { type: 'dispatch.rejected', error: { code, message: errorMessage(error) } });
          log.error('copy rejected', { code, error: errorMessage(error) });
          rejected += 1;
        }
      }
    }
    return { started, deferred, rejected, waiting };
  };
