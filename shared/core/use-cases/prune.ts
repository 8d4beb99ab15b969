import type { PolicyConfig } from '../config/policy-config';
import { type Clock, secondsBetween } from '../domain/clock';
import { type Deadline, NO_DEADLINE } from '../domain/deadline';
import { COPY_PARTLY_DELETED, PartialDeletionError, errorCode, errorMessage, isRetryable } from '../domain/errors';
import { type Job, JobStatus, type LeftBehind } from '../domain/job';
import { type CopyProvider, type CopyProviders, type ImageUse, ImageUseState, type Replica } from '../ports/copy-provider';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { Queues } from '../ports/message-queue';
import { createJobWriter, type JobWriter } from './job-writer';
import { partsLeftBy, removeCopy, sayLeftBehind } from './remove-copy';

/**
 * Retention: copies are billed for as long as they exist, whatever happens to their source. Per
 * policy and destination, copies are grouped (by the source's image family, or by name prefix) and
 * the newest are kept; the rest are deleted — only copies that carry our managed tag and that our
 * table knows, never one in use, never the newest available one of a group. Deleting is explicit
 * steps, each idempotent: unshare (recipients lose access, and are told why in the log), delete the
 * image, then its snapshots (they cannot go while the image exists); the job records each deletion
 * and its notification tells it once.
 */

/** Time one copy's deletion may take: its in-use questions (a listing or a few) and its deletions. */
export const PRUNE_STEP_MS = 15_000;

export const PruneAction = { Keep: 'keep', Deprecate: 'deprecate', Delete: 'delete' } as const;
export type PruneAction = (typeof PruneAction)[keyof typeof PruneAction];

export interface PruneDecision {
  readonly jobId: string;
  readonly policy: string;
  readonly region: string;
  readonly imageId: string;
  readonly sourceName: string;
  readonly group: string;
  readonly action: PruneAction;
  readonly reason: string;
  readonly sizeGiB: number;
}

export interface PruneOutcome {
  readonly decisions: readonly PruneDecision[];
  readonly deprecated: number;
  readonly deleted: number;
  /** Copies that could not be deleted this time (in use, refused), with the reason on the job. */
  readonly refused: number;
  /** Jobs whose copy the provider could not answer for this time (throttled, an outage): the next pass goes on with them. */
  readonly deferred: readonly string[];
  /** Destinations (or single copies) retention could not do this time, and why; the others went on. */
  readonly failed: readonly PruneFailure[];
}

export interface PruneFailure {
  readonly policy: string;
  readonly region: string;
  /** Set when one copy failed; absent when the destination's copies could not even be listed. */
  readonly jobId?: string | undefined;
  readonly code: string;
  readonly message: string;
}

export interface PruneDeps {
  readonly config: PolicyConfig;
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly deadline?: Deadline | undefined;
}

type Retention = NonNullable<PolicyConfig['policies'][number]['retention']>;

/** The group a copy belongs to, or undefined: copies we cannot group are never deleted. */
const groupOf = (job: Job, retention: Retention): string | undefined => {
  if (retention.groupBy === 'family') return job.source.family === undefined ? undefined : `family:${job.source.family}`;
  const prefix = retention.namePrefixes?.find((p) => job.source.imageName.startsWith(p));
  return prefix === undefined ? undefined : `prefix:${prefix}`;
};

const copyCreatedAt = (job: Job, replica: Replica | undefined): string => replica?.createdAt ?? job.finishedAt ?? job.createdAt;

/** Why a copy stays, for its job's record and the log; bounded, since the names in it are the provider's. */
const useText = (use: Exclude<ImageUse, { state: typeof ImageUseState.Unused }>): string =>
  (use.state === ImageUseState.Used ? `in use by ${use.by}` : `cannot tell whether it is in use (${use.why})`).slice(0, 400);

/**
 * How long a deletion whose image went goes on trying a part that fails for good (a missing
 * permission, an image of somebody else's made from our snapshot): a day, for an operator to see
 * the error and mend it. Then the job ends pruned, the part left behind and told, still billed.
 */
export const PARTIAL_DELETION_GIVE_UP_SECONDS = 24 * 3600;

/** The parts a partial deletion gives up, once it failed for good for long enough; undefined to go on trying. */
const givenUp = (job: Job, error: unknown, now: Date): LeftBehind[] | undefined => {
  if (!(error instanceof PartialDeletionError) || isRetryable(error) || job.imageGoneAt === undefined) return undefined;
  if (secondsBetween(job.imageGoneAt, now) < PARTIAL_DELETION_GIVE_UP_SECONDS) return undefined;
  return partsLeftBy(error);
};

/** Deletion is one step after another; any of them may be redone after a crash. */
export const continuePrune = async (deps: { providers: CopyProviders; writer: JobWriter; logger: Logger; clock: Clock }, job: Job): Promise<Job | undefined> => {
  if (job.status !== JobStatus.Pruning || job.destinationImageId === undefined) return undefined;
  const provider = deps.providers.get(job.provider, job.account);
  const image = { region: job.destination.region, imageId: job.destinationImageId, handle: job.copyHandle, sharedWith: job.sharedWith };
  try {
    // Once a try removed the image, nobody can launch or be given it: what is left is its parts,
    // and no answer about users may bring the job back to available.
    if (job.imageGoneAt === undefined) {
      // Deleting needs a copy nobody uses: asked again now, right before it goes (also on a try after
      // one whose deletion landed and whose answer was lost: the questions hold for a gone image).
      const use = await provider.imageInUse(image);
      if (use.state !== ImageUseState.Unused) {
        deps.logger.info('copy kept by retention: it is in use, or nobody can tell', { jobId: job.id, region: job.destination.region, use: useText(use) });
        return await deps.writer.apply(job, { type: 'prune.refused', error: { code: 'CopyInUse', message: `${useText(use)}; it is kept` } });
      }
      if ((job.sharedWith?.length ?? 0) > 0) deps.logger.warn('unsharing a copy before deleting it: its recipients lose it', { jobId: job.id, accounts: job.sharedWith?.length });
      await provider.unshareImage(image, 'all');
    }
    const { leftBehind } = await removeCopy(provider, { handle: job.copyHandle ?? job.destinationImageId, destinationRegion: job.destination.region }, deps.logger, job.id);
    // The copy is gone whatever the provider kept of it: the job ends pruned, and says what is still billed.
    deps.logger.info('copy deleted by retention', { jobId: job.id, destinationImageId: job.destinationImageId, region: job.destination.region, leftBehind: leftBehind.length });
    return await deps.writer.apply(job, { type: 'prune.completed', leftBehind });
  } catch (error) {
    if (errorCode(error) === COPY_PARTLY_DELETED) {
      const leftBehind = givenUp(job, error, deps.clock.now());
      if (leftBehind !== undefined) {
        sayLeftBehind(deps.logger, job.id, job.destination.region, leftBehind);
        return deps.writer.apply(job, { type: 'prune.completed', leftBehind });
      }
      // The image went and a part did not: recorded, so the next try goes on from there.
      await deps.writer.apply(job, { type: 'prune.imageGone', error: { code: errorCode(error), message: errorMessage(error) } });
      throw error;
    }
    if (isRetryable(error) || job.imageGoneAt !== undefined) throw error;
    return deps.writer.apply(job, { type: 'prune.refused', error: { code: errorCode(error), message: errorMessage(error) } });
  }
};

export const createPrune = (deps: PruneDeps) => {
  const { config, providers, jobs, clock, logger } = deps;
  const writer = createJobWriter(jobs, clock, logger, deps.queues.notify);
  const deadline = deps.deadline ?? NO_DEADLINE;

  /** What retention would do with one destination's copies, newest first. */
  const decide = (policyName: string, retention: Retention, candidates: readonly { job: Job; replica: Replica | undefined }[]): PruneDecision[] => {
    const now = clock.now();
    const groups = new Map<string, { job: Job; replica: Replica | undefined }[]>();
    const decisions: PruneDecision[] = [];
    const decision = (entry: { job: Job; replica: Replica | undefined }, group: string, action: PruneAction, reason: string): PruneDecision => ({
      jobId: entry.job.id,
      policy: policyName,
      region: entry.job.destination.region,
      imageId: entry.job.destinationImageId ?? '',
      sourceName: entry.job.source.imageName,
      group,
      action,
      reason,
      sizeGiB: entry.replica?.sizeGiB ?? entry.job.source.sizeGiB ?? 0,
    });
    for (const entry of candidates) {
      const group = groupOf(entry.job, retention);
      if (group === undefined) {
        decisions.push(decision(entry, '(none)', PruneAction.Keep, retention.groupBy === 'family' ? 'its source has no image family' : 'its source name matches no prefix'));
        continue;
      }
      groups.set(group, [...(groups.get(group) ?? []), entry]);
    }
    for (const [group, members] of groups) {
      // A group's versions in the order their sources were made: a copy of an older version that
      // ended late (a retry, a slow link) is not newer for it. A job that does not say when its
      // source was made (made before jobs recorded it, or a date that does not parse) counts from
      // when the job was made, which is when its source was first seen.
      const sourceMadeAt = (entry: { job: Job }): number => Date.parse(entry.job.source.createdAt ?? '') || Date.parse(entry.job.createdAt) || 0;
      const copyMadeAt = (entry: { job: Job; replica: Replica | undefined }): number => Date.parse(copyCreatedAt(entry.job, entry.replica)) || 0;
      const newestFirst = [...members].sort((a, b) => sourceMadeAt(b) - sourceMadeAt(a) || copyMadeAt(b) - copyMadeAt(a) || b.job.id.localeCompare(a.job.id));
      newestFirst.forEach((entry, index) => {
        const ageSeconds = secondsBetween(copyCreatedAt(entry.job, entry.replica), now);
        if (index === 0) return decisions.push(decision(entry, group, PruneAction.Keep, 'the newest copy of its group'));
        if (retention.keepNewest !== undefined && index < retention.keepNewest) return decisions.push(decision(entry, group, PruneAction.Keep, `among the newest ${retention.keepNewest}`));
        if (retention.keepFor !== undefined && ageSeconds < retention.keepFor) return decisions.push(decision(entry, group, PruneAction.Keep, 'younger than keepFor'));
        if (retention.deprecateFor !== undefined) {
          if (entry.job.status === JobStatus.Available) return decisions.push(decision(entry, group, PruneAction.Deprecate, 'past retention: deprecated first'));
          const since = entry.job.deprecatedAt === undefined ? 0 : secondsBetween(entry.job.deprecatedAt, now);
          if (since < retention.deprecateFor) return decisions.push(decision(entry, group, PruneAction.Keep, 'deprecated, within its grace period'));
        }
        return decisions.push(decision(entry, group, PruneAction.Delete, 'past retention'));
      });
    }
    return decisions;
  };

  return async (options: { readonly dryRun: boolean }): Promise<PruneOutcome> => {
    const all = await jobs.list();
    const decisions: PruneDecision[] = [];
    let deprecated = 0;
    let deleted = 0;
    let refused = 0;
    const deferred: string[] = [];
    const failed: PruneFailure[] = [];
    const fail = (failure: PruneFailure) => {
      logger.error('retention could not do this; going on with the others', { ...failure });
      failed.push(failure);
    };
    for (const policy of config.policies) {
      for (const destination of policy.destinations) {
        const retention = destination.retention ?? policy.retention;
        if (retention === undefined) continue;
        if (!deadline.allows(10_000)) {
          logger.warn('out of time: retention left for the next run', { policy: policy.name, region: destination.region });
          continue;
        }
        const provider = providers.get(policy.provider, policy.account);
        // Only what carries our managed tag now, and what our table made: nothing else is ours to delete.
        let listed: Replica[];
        try {
          listed = await provider.listReplicas(destination.region);
        } catch (error) {
          fail({ policy: policy.name, region: destination.region, code: errorCode(error), message: errorMessage(error) });
          continue;
        }
        const replicas = new Map(listed.map((r) => [r.jobId, r]));
        const candidates = all
          .filter((job) => job.policy === policy.name && job.destination.region === destination.region && job.shareOnly !== true)
          .filter((job) => job.status === JobStatus.Available || job.status === JobStatus.Deprecated)
          .filter((job) => replicas.has(job.id))
          .map((job) => ({ job, replica: replicas.get(job.id) }));
        const decided = decide(policy.name, retention, candidates);
        decisions.push(...decided);
        if (options.dryRun) continue;
        for (const item of decided.filter((d) => d.action !== PruneAction.Keep)) {
          // Each copy asks the provider a few questions first: those there is no time for wait for the next run.
          if (!deadline.allows(PRUNE_STEP_MS)) {
            logger.warn('out of time: retention left a copy for the next run', { jobId: item.jobId, region: item.region });
            deferred.push(item.jobId);
            continue;
          }
          try {
            const outcome = await act(provider, item);
            if (outcome === 'deprecated') deprecated += 1;
            else if (outcome === 'deleted') deleted += 1;
            else if (outcome === 'refused') refused += 1;
          } catch (error) {
            if (!isRetryable(error)) {
              fail({ policy: policy.name, region: destination.region, jobId: item.jobId, code: errorCode(error), message: errorMessage(error) });
              continue;
            }
            // A copy the provider cannot answer for now waits (a deletion begun stays `pruning`, and
            // poll-status goes on with it); the copies of other regions and policies go on now.
            logger.warn('retention left a copy for later: the provider did not answer', { jobId: item.jobId, region: item.region, code: errorCode(error), error: errorMessage(error) });
            deferred.push(item.jobId);
          }
        }
      }
    }
    if (!options.dryRun) logger.info('retention done', { deleted, deprecated, refused, deferred: deferred.length, failed: failed.length, kept: decisions.filter((d) => d.action === PruneAction.Keep).length });
    return { decisions, deprecated, deleted, refused, deferred, failed };
  };

  /** One copy past retention: deprecated, or its deletion begun and carried as far as it goes now. */
  async function act(provider: CopyProvider, item: PruneDecision): Promise<'deprecated' | 'deleted' | 'refused' | 'nothing'> {
    const job = await jobs.get(item.jobId);
    if (job === undefined) return 'nothing';
    const image = { region: job.destination.region, imageId: job.destinationImageId ?? '', handle: job.copyHandle, sharedWith: job.sharedWith };
    if (item.action === PruneAction.Deprecate) {
      const use = await provider.imageInUse(image);
      if (use.state !== ImageUseState.Unused) {
        logger.info('copy not deprecated: it is in use, or nobody can tell', { jobId: job.id, region: job.destination.region, use: useText(use) });
        return 'nothing';
      }
      await provider.unshareImage(image, 'all');
      await provider.deprecateImage(image);
      return (await writer.apply(job, { type: 'deprecated' })) === undefined ? 'nothing' : 'deprecated';
    }
    // Before anything is deleted: a try after a lost answer must still know what the copy held.
    const handle = await provider.deletionHandle?.({ handle: job.copyHandle ?? job.destinationImageId ?? '', destinationRegion: job.destination.region });
    const started = await writer.apply(job, { type: 'prune.started', reason: item.reason, handle });
    const done = started === undefined ? undefined : await continuePrune({ providers, writer, logger, clock }, started);
    if (done === undefined) return 'nothing';
    return done.status === JobStatus.Pruned ? 'deleted' : 'refused';
  }
};
