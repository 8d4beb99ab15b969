import type { PolicyConfig } from '../config/policy-config';
import type { Clock } from '../domain/clock';
import { type Deadline, NO_DEADLINE } from '../domain/deadline';
import { RetryableError, errorCode, errorMessage, isRetryable } from '../domain/errors';
import { ALL_IMAGE_STATES, type CloudImage, ImageState } from '../domain/image';
import { JobStatus } from '../domain/job';
import { newJob } from '../domain/job-transitions';
import { inScope, type PlannedJob, planJob, planJobs, type SourceScope, sourceScopes } from '../domain/policy';
import type { CopyProviders, Replica } from '../ports/copy-provider';
import { CORRUPT_JOB_CODE, type JobStore } from '../ports/job-store';
import type { PlanHints } from '../ports/plan-hints';
import type { SpeedBook } from '../ports/speed-book';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import type { StartCopyCommand } from './commands';
import { createDispatch, type DispatchOutcome } from './dispatch';
import { createJobWriter } from './job-writer';
import { createPrune } from './prune';

export interface StartCopyDeps {
  readonly config: PolicyConfig;
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Stop starting work near the invocation's end; the next one takes the rest. */
  readonly deadline?: Deadline | undefined;
  /** Observed copy speeds, for choosing relay sources. */
  readonly speeds?: SpeedBook | undefined;
  /** Where a dispatch pass leaves its schedule's order for the next (a hint). */
  readonly plans?: PlanHints | undefined;
}

export interface StartCopyOutcome {
  readonly input: StartCopyCommand['kind'];
  readonly jobsCreated: number;
  readonly jobsReopened: number;
  readonly dispatch?: DispatchOutcome | undefined;
  /** Copies retention deleted during a sweep. */
  readonly pruned?: number | undefined;
}

interface Tally {
  created: number;
  reopened: number;
}

/** What a source region's sweep needs at least: a listing or two and some writes. */
const SWEEP_SCOPE_MS = 15_000;

const scopeName = (scope: SourceScope): string => `${scope.provider}/${scope.account}/${scope.region}`;

/**
 * start-copy: turns "there is an image" (an ActionTrail event, the nightly sweep, a queued
 * request) into jobs, then dispatches what the providers' limits allow.
 */
export const createStartCopy = (deps: StartCopyDeps) => {
  const { config, providers, jobs, queues, clock, logger } = deps;
  const writer = createJobWriter(jobs, clock, logger, queues.notify);
  const deadline = deps.deadline ?? NO_DEADLINE;
  const dispatch = createDispatch({ providers, jobs, writer, clock, logger, limitCap: config.maxConcurrentCopiesPerRegion, deadline, speeds: deps.speeds, plans: deps.plans });
  const prune = createPrune({ config, providers, jobs, queues, clock, logger, deadline });

  /**
   * Our copies in each destination, by the job that made them (its tag): a sweep adopts a copy for
   * a job only when the copy says it is that job's. A destination that cannot be read is skipped
   * for adoption alone; its jobs are still created, and copies are found again when they start.
   */
  const replicasByJob = async (scope: SourceScope, regions: readonly string[]): Promise<Map<string, Replica>> => {
    const provider = providers.get(scope.provider, scope.account);
    const byJob = new Map<string, Replica>();
    for (const region of regions) {
      try {
        for (const replica of await provider.listReplicas(region)) {
          if (replica.jobId !== undefined && replica.state !== ImageState.Failed) byJob.set(replica.jobId, replica);
        }
      } catch (error) {
        logger.warn('could not list our copies in a destination; adoption skipped there', { scope: scopeName(scope), region, code: errorCode(error), error: errorMessage(error) });
      }
    }
    return byJob;
  };

  /** Reads a job, setting a row aside that cannot be read so the id is free for a fresh job. */
  const readJob = async (id: string) => {
    try {
      return await jobs.get(id);
    } catch (error) {
      if (errorCode(error) !== CORRUPT_JOB_CODE) throw error;
      logger.error('a stored job cannot be read; setting it aside and starting it afresh', { jobId: id, error: errorMessage(error) });
      await jobs.setAside(id, errorMessage(error));
      return undefined;
    }
  };

  const materialise = async (
    image: CloudImage,
    planned: readonly PlannedJob[],
    options: { reopenFailed: boolean; adopt?: Map<string, Replica> },
  ): Promise<Tally> => {
    const tally: Tally = { created: 0, reopened: 0 };
    for (const { id, spec } of planned) {
      // Most pairs exist after the first night: a read is cheaper than a failed conditional create.
      const existing = await readJob(id);
      const result = existing === undefined ? await jobs.putIfAbsent(newJob(id, spec, image.state, clock.now())) : { created: false, job: existing };
      let job = result.job;
      if (result.created) {
        tally.created += 1;
        logger.info('job created', { jobId: id, policy: spec.policy, provider: spec.provider, source: image.id, destination: spec.destination.region, status: job.status });
      } else if (options.reopenFailed && (job.status === JobStatus.Failed || job.status === JobStatus.TimedOut)) {
        const next = await writer.apply(job, { type: 'reopened' });
        if (next !== undefined) {
          job = next;
          tally.reopened += 1;
        }
      }
      const replica = options.adopt?.get(id);
      if (replica !== undefined && job.status === JobStatus.Queued) {
        const claimed = await writer.apply(job, { type: 'dispatch.claimed' });
        if (claimed !== undefined) {
          await writer.apply(claimed, { type: 'copy.accepted', handle: replica.handle, destinationImageId: replica.imageId, adopted: true });
          logger.info('adopted an existing copy', { jobId: id, destinationImageId: replica.imageId });
        }
      }
    }
    return tally;
  };

  /** One image at a time: a job that cannot be written (a store hiccup) does not stop the others. */
  const materialiseEach = async (scope: SourceScope, images: readonly CloudImage[], adopt: Map<string, Replica>): Promise<Tally> => {
    const tally: Tally = { created: 0, reopened: 0 };
    let retry: Error | undefined;
    for (const image of images) {
      try {
        const result = await materialise(image, planJobs(config, scope, image), { reopenFailed: true, adopt });
        tally.created += result.created;
        tally.reopened += result.reopened;
      } catch (error) {
        logger.error('sweep of an image failed, going on with the others', { scope: scopeName(scope), imageId: image.id, code: errorCode(error), error: errorMessage(error) });
        if (isRetryable(error)) retry ??= error instanceof Error ? error : new RetryableError('SweepFailed', errorMessage(error));
      }
    }
    if (retry !== undefined) throw retry;
    return tally;
  };

  const sweepScope = async (scope: SourceScope): Promise<Tally> => {
    const provider = providers.get(scope.provider, scope.account);
    const destinations = [...new Set(config.policies.filter((p) => inScope(p, scope)).flatMap((p) => p.destinations.map((d) => d.region)))];
    const candidates = await provider.listImages(scope.region, { states: [ImageState.Available, ImageState.Pending], ownedBySelf: true });
    const adopt = await replicasByJob(scope, destinations);
    const tally = await materialiseEach(scope, candidates, adopt);
    logger.info('sweep done', { scope: scopeName(scope), images: candidates.length, ...tally });
    return tally;
  };

  const sweep = async (only?: Omit<SourceScope, 'region'> & { region: string }): Promise<Tally> => {
    const scopes = sourceScopes(config).filter(
      (scope) => only === undefined || (scope.provider === only.provider && scope.account === only.account && scope.region === only.region),
    );
    const tally: Tally = { created: 0, reopened: 0 };
    let retry: Error | undefined;
    for (const scope of scopes) {
      if (!deadline.allows(SWEEP_SCOPE_MS)) {
        // The next sweep (or an event for the region) takes it; better than being killed half-way.
        logger.warn('out of time: regions left for the next sweep', { scope: scopeName(scope) });
        continue;
      }
      try {
        const result = await sweepScope(scope);
        tally.created += result.created;
        tally.reopened += result.reopened;
      } catch (error) {
        // One region's trouble (a region the account cannot use, throttling) must not stop the others.
        logger.error('sweep of a region failed', { scope: scopeName(scope), code: errorCode(error), error: errorMessage(error) });
        if (isRetryable(error)) retry ??= error instanceof Error ? error : new RetryableError('SweepFailed', errorMessage(error));
      }
    }
    if (retry !== undefined) throw retry;
    return tally;
  };

  /**
   * An explicitly requested image that does not exist still gets its jobs, failed, so whoever
   * asked hears about it. "Explicitly" means named in the request's policy or in a policy's
   * imageIds; an event for an image nobody asked for is only logged.
   */
  const failMissing = async (scope: SourceScope, imageId: string, policy?: string): Promise<number> => {
    const requested = config.policies.filter(
      (p) => inScope(p, scope) && (p.name === policy || (policy === undefined && p.source.select.imageIds?.includes(imageId) === true)),
    );
    const ghost: CloudImage = { id: imageId, region: scope.region, name: imageId, state: ImageState.Pending, sizeGiB: 0, tags: {} };
    let created = 0;
    for (const { id, spec } of requested.flatMap((p) => p.destinations.map((d) => planJob(p, d, ghost)))) {
      const existing = await readJob(id);
      const result = existing === undefined ? await jobs.putIfAbsent(newJob(id, spec, ImageState.Pending, clock.now())) : { created: false, job: existing };
      if (result.created) created += 1;
      await writer.apply(result.job, { type: 'source.observed', state: 'missing' });
    }
    return created;
  };

  const requestImage = async (scope: SourceScope, imageId: string, policy?: string): Promise<Tally> => {
    // Events arrive for every region of the account: one no policy copies from costs no API call.
    if (!config.policies.some((p) => inScope(p, scope) && (policy === undefined || p.name === policy))) {
      logger.info('no policy copies from this region', { scope: scopeName(scope), imageId, policy });
      return { created: 0, reopened: 0 };
    }
    // Only the account's own images: an event or request naming anybody else's is "not found".
    const provider = providers.get(scope.provider, scope.account);
    const [image] = await provider.listImages(scope.region, { imageId, states: ALL_IMAGE_STATES, ownedBySelf: true });
    if (image === undefined) {
      const failed = await failMissing(scope, imageId, policy);
      logger.warn('image not found', { scope: scopeName(scope), imageId, failedJobs: failed });
      return { created: failed, reopened: 0 };
    }
    const planned = planJobs(config, scope, image, policy);
    if (planned.length === 0) logger.info('no policy selects this image', { scope: scopeName(scope), imageId, name: image.name });
    return materialise(image, planned, { reopenFailed: policy !== undefined });
  };

  return async (command: StartCopyCommand): Promise<StartCopyOutcome> => {
    switch (command.kind) {
      case 'sweep': {
        const { created, reopened } = await sweep();
        const dispatched = await dispatch();
        // Retention runs with the nightly sweep; its trouble is reported, and the copies made stand.
        const retention = await prune({ dryRun: false }).catch((error: unknown) => {
          logger.error('retention failed; the next sweep tries again', { code: errorCode(error), error: errorMessage(error) });
          return undefined;
        });
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: dispatched, pruned: retention?.deleted };
      }
      case 'image-created': {
        const scope = { provider: command.provider, account: command.account, region: command.region };
        const { created, reopened } = command.imageId === undefined ? await sweep(scope) : await requestImage(scope, command.imageId);
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: await dispatch() };
      }
      case 'replicate': {
        const scope = { provider: command.provider, account: command.account, region: command.region };
        const { created, reopened } = await requestImage(scope, command.imageId, command.policy);
        return { input: command.kind, jobsCreated: created, jobsReopened: reopened, dispatch: await dispatch() };
      }
      case 'dispatch':
        return { input: command.kind, jobsCreated: 0, jobsReopened: 0, dispatch: await dispatch(command.scopes) };
    }
  };
};
