import type { PolicyConfig } from '../config/policy-config';
import type { Clock } from '../domain/clock';
import { RetryableError, errorCode, errorMessage, isRetryable } from '../domain/errors';
import { ALL_IMAGE_STATES, type CloudImage, ImageState, ReplicaTag } from '../domain/image';
import { JobStatus } from '../domain/job';
import { newJob } from '../domain/job-transitions';
import { type PlannedJob, planJob, planJobs } from '../domain/policy';
import type { StartCopyCommand } from './commands';
import type { ImageCloud } from '../ports/image-cloud';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import { createJobWriter } from './job-writer';
import { createDispatch, type DispatchOutcome } from './dispatch';

export interface StartCopyDeps {
  readonly config: PolicyConfig;
  readonly images: ImageCloud;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface StartCopyOutcome {
  readonly input: StartCopyCommand['kind'];
  readonly jobsCreated: number;
  readonly jobsReopened: number;
  readonly dispatch?: DispatchOutcome | undefined;
}

/**
 * start-copy: turns "there is an image" (an ActionTrail event, the nightly sweep, a queued
 * request) into jobs, then dispatches what the provider's limits allow.
 */
export const createStartCopy = (deps: StartCopyDeps) => {
  const { config, images, jobs, queues, clock, logger } = deps;
  const writer = createJobWriter(jobs, clock, logger, queues.notify);
  const dispatch = createDispatch({
    images,
    jobs,
    writer,
    clock,
    logger,
    maxConcurrentCopiesPerRegion: config.maxConcurrentCopiesPerRegion,
  });

  /** Copies we already made, by destination region and source image: a sweep adopts them. */
  const existingCopies = async (regions: readonly string[]): Promise<Map<string, CloudImage>> => {
    const copies = new Map<string, CloudImage>();
    for (const region of regions) {
      const managed = await images.listImages(region, {
        tags: { [ReplicaTag.Managed]: 'true' },
        states: [ImageState.Available, ImageState.Pending],
        ownedBySelf: true,
      });
      for (const copy of managed) {
        const source = copy.tags[ReplicaTag.SourceImage];
        if (source !== undefined) copies.set(`${region}/${source}`, copy);
      }
    }
    return copies;
  };

  const materialise = async (
    image: CloudImage,
    planned: readonly PlannedJob[],
    options: { reopenFailed: boolean; adopt?: Map<string, CloudImage> },
  ): Promise<{ created: number; reopened: number }> => {
    let created = 0;
    let reopened = 0;
    for (const { id, spec } of planned) {
      // Most pairs exist after the first night: a read is cheaper than a failed conditional create.
      const existing = await jobs.get(id);
      const result = existing === undefined ? await jobs.putIfAbsent(newJob(id, spec, image.state, clock.now())) : { created: false, job: existing };
      let job = result.job;
      if (result.created) {
        created += 1;
        logger.info('job created', { jobId: id, policy: spec.policy, source: image.id, destination: spec.destination.region, status: job.status });
      } else if (options.reopenFailed && (job.status === JobStatus.Failed || job.status === JobStatus.TimedOut)) {
        const next = await writer.apply(job, { type: 'reopened' });
        if (next !== undefined) {
          job = next;
          reopened += 1;
        }
      }
      const copy = options.adopt?.get(`${spec.destination.region}/${image.id}`);
      if (copy !== undefined && job.status === JobStatus.Queued) {
        const claimed = await writer.apply(job, { type: 'dispatch.claimed' });
        if (claimed !== undefined) {
          await writer.apply(claimed, { type: 'copy.accepted', destinationImageId: copy.id });
          logger.info('adopted an existing copy', { jobId: id, destinationImageId: copy.id });
        }
      }
    }
    return { created, reopened };
  };

  const sweepRegion = async (region: string): Promise<{ created: number; reopened: number }> => {
    let created = 0;
    let reopened = 0;
    const destinations = [
      ...new Set(config.policies.filter((p) => p.source.region === region).flatMap((p) => p.destinations.map((d) => d.region))),
    ];
    const [candidates, adopt] = await Promise.all([
      images.listImages(region, { states: [ImageState.Available, ImageState.Pending], ownedBySelf: true }),
      existingCopies(destinations),
    ]);
    for (const image of candidates) {
      const result = await materialise(image, planJobs(config, image), { reopenFailed: true, adopt });
      created += result.created;
      reopened += result.reopened;
    }
    logger.info('sweep done', { region, images: candidates.length, created, reopened });
    return { created, reopened };
  };

  const sweep = async (onlyRegion?: string): Promise<{ created: number; reopened: number }> => {
    const sourceRegions = [...new Set(config.policies.map((p) => p.source.region))].filter(
      (region) => onlyRegion === undefined || region === onlyRegion,
    );
    let created = 0;
    let reopened = 0;
    let retry: Error | undefined;
    for (const region of sourceRegions) {
      try {
        const result = await sweepRegion(region);
        created += result.created;
        reopened += result.reopened;
      } catch (error) {
        // One region's trouble (a region the account cannot use, throttling) must not stop the others.
        logger.error('sweep of a region failed', { region, code: errorCode(error), error: errorMessage(error) });
        if (isRetryable(error)) retry ??= error instanceof Error ? error : new RetryableError('SweepFailed', errorMessage(error));
      }
    }
    if (retry !== undefined) throw retry;
    return { created, reopened };
  };

  /**
   * An explicitly requested image that does not exist still gets its jobs, failed with the API's
   * code, so whoever asked hears about it. "Explicitly" means named in the request's policy or in
   * a policy's imageIds; an event for an image nobody asked for is only logged.
   */
  const failMissing = async (region: string, imageId: string, policy?: string): Promise<number> => {
    const requested = config.policies.filter(
      (p) => p.source.region === region && (p.name === policy || (policy === undefined && p.source.select.imageIds?.includes(imageId) === true)),
    );
    const ghost: CloudImage = { id: imageId, region, name: imageId, state: ImageState.Pending, sizeGiB: 0, tags: {} };
    let created = 0;
    for (const { id, spec } of requested.flatMap((p) => p.destinations.map((d) => planJob(p, d, ghost)))) {
      const result = await jobs.putIfAbsent(newJob(id, spec, ImageState.Pending, clock.now()));
      if (result.created) created += 1;
      await writer.apply(result.job, { type: 'source.observed', state: 'missing' });
    }
    return created;
  };

  const requestImage = async (region: string, imageId: string, policy?: string): Promise<{ created: number; reopened: number }> => {
    // Events arrive for every region of the account: one no policy copies from costs no API call.
    if (!config.policies.some((p) => p.source.region === region && (policy === undefined || p.name === policy))) {
      logger.info('no policy copies from this region', { region, imageId, policy });
      return { created: 0, reopened: 0 };
    }
    // Only the account's own images: an event or request naming anybody else's is "not found".
    const [image] = await images.listImages(region, { imageId, states: ALL_IMAGE_STATES, ownedBySelf: true });
    if (image === undefined) {
      const failed = await failMissing(region, imageId, policy);
      logger.warn('image not found', { region, imageId, failedJobs: failed });
      return { created: failed, reopened: 0 };
    }
    const planned = planJobs(config, image, policy);
    if (planned.length === 0) logger.info('no policy selects this image', { region, imageId, name: image.name });
    return materialise(image, planned, { reopenFailed: policy !== undefined });
  };

  return async (command: StartCopyCommand): Promise<StartCopyOutcome> => {
    switch (command.kind) {
      case 'sweep': {
        const { created, reopened } = await sweep();
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: await dispatch() };
      }
      case 'image-created': {
        const { created, reopened } =
          command.imageId === undefined ? await sweep(command.region) : await requestImage(command.region, command.imageId);
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: await dispatch() };
      }
      case 'replicate': {
        const { created, reopened } = await requestImage(command.region, command.imageId, command.policy);
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: await dispatch() };
      }
      case 'dispatch':
        return { input: command.kind, jobsCreated: 0, jobsReopened: 0, dispatch: await dispatch(command.regions) };
    }
  };
};
