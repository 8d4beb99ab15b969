import { CapacityLedger } from '../domain/capacity';
import { type Deadline, NO_DEADLINE } from '../domain/deadline';
import { type Clock, secondsBetween } from '../domain/clock';
import { errorCode, errorMessage, isReplicationError, isRetryable, RetryableError } from '../domain/errors';
import { ALL_IMAGE_STATES } from '../domain/image';
import { CopyState, isBackingOff, type Job, type JobEvent, JobStatus, isRunning, isTerminal, pendingDeliveryAttempts } from '../domain/job';
import { scopeKey } from '../domain/policy';
import { finishedCopySpeed, type SpeedObservation, withObservations } from '../domain/copy-speed';
import { DISPATCH_LEASE_SECONDS, NOTIFICATION_REQUEUE_SECONDS, webhookRedeliverySeconds } from '../domain/retry-policy';
import { isDue, isDueInRegion, isPastDeadline, LookKind, nextLookAt, windowEnd } from '../domain/look-schedule';
import { DispatchRequestedV2, encodeMessage, PollRequestedV1 } from '../messages/messages';
import type { CopyInFlight, CopyObservation, CopyProvider, CopyProviders } from '../ports/copy-provider';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { SpeedBook } from '../ports/speed-book';
import type { Queues } from '../ports/message-queue';
import type { DispatchScope } from './commands';
import { copyRequestFor, slotsFrom, slotsOf } from './dispatch';
import { candidateSources } from './source-choice';
import { createJobWriter, type JobWriter, notificationMessage } from './job-writer';
import { continuePrune, PRUNE_STEP_MS } from './prune';
import { removeCopy } from './remove-copy';
import { shareStep } from './share-step';
import { stopCopy } from './stop-copy';

export interface PollStatusDeps {
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly queues: Queues;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lowers every provider limit, as in dispatch. */
  readonly limitCap?: number | undefined;
  /** Stop looking at more copies near the invocation's end: the next tick goes on. */
  readonly deadline?: Deadline | undefined;
  /** Where the speed of every finished copy is recorded, for choosing relay sources. */
  readonly speeds?: SpeedBook | undefined;
}

/** One provider's batch of observations and the writes that follow. */
const OBSERVE_BATCH_MS = 10_000;

export interface PollStatusOutcome {
  readonly inFlight: number;
  readonly observed: number;
  readonly finished: number;
  readonly notificationsQueued: number;
  readonly dispatchRequested: boolean;
  /** When the next look was scheduled for (a copy predicted to end before the next tick). */
  readonly nextLookAt?: string | undefined;
}

/** A timer tick (everything), or a scheduled look at the copies due (see look-schedule). */
export interface PollCommand {
  readonly kind: LookKind;
  /** A look's window end, from its message. */
  readonly until?: Date | undefined;
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
};

export const copyInFlightOf = (job: Job): CopyInFlight => ({
  jobId: job.id,
  handle: job.copyHandle ?? '',
  sourceRegion: job.source.region,
  sourceImageId: job.source.imageId,
  destinationRegion: job.destination.region,
  destinationName: job.destination.imageName,
  tags: job.destination.tags,
  family: job.destination.family,
  startedAt: new Date(job.copyStartedAt ?? job.updatedAt),
});

/**
 * poll-status (timer): the providers send no event when a copy finishes, so this looks. It reads
 * only the jobs in flight, asks each provider about its copies in the batches it chooses, advances
 * the jobs, queues their notifications, and nudges start-copy when a slot frees up so queued jobs
 * start now rather than at the next sweep.
 */
export const createPollStatus = (deps: PollStatusDeps) => {
  const { providers, jobs, queues, clock, logger } = deps;
  const writer: JobWriter = createJobWriter(jobs, clock, logger, queues.notify);

  return async (command: PollCommand = { kind: LookKind.Tick }): Promise<PollStatusOutcome> => {
    const startedAt = clock.now();
    const until = windowEnd(startedAt, command.until);
    let observed = 0;
    let finished = 0;
    // The jobs as this poll left them: the last steps work from these instead of reading the table again.
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
    const noteFailure = (unit: Record<string, unknown>, error: unknown) => {
      logger.error('poll of a unit failed, going on with the others', { ...unit, code: errorCode(error), error: errorMessage(error) });
      if (isRetryable(error)) failure ??= error instanceof Error ? error : new RetryableError('PollFailed', errorMessage(error));
    };
    const isolated = async (unit: Record<string, unknown>, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        noteFailure(unit, error);
      }
    };
    const providerOf = (job: Job): CopyProvider => providers.get(job.provider, job.account);

    const inFlight = await jobs.listInFlight();
    for (const job of inFlight) latest.set(job.id, job);

    // 1. Sources still being built: one look per source image, at the timer's pace.
    const waiting = groupBy(
      inFlight.filter((j) => j.status === JobStatus.WaitingForSource && command.kind === LookKind.Tick),
      (j) => `${scopeKey(j)}\n${j.source.region}\n${j.source.imageId}`,
    );
    for (const group of waiting.values()) {
      const first = group[0];
      if (first === undefined) continue;
      await isolated({ region: first.source.region, imageId: first.source.imageId }, async () => {
        const [source] = await providerOf(first).listImages(first.source.region, { imageId: first.source.imageId, states: ALL_IMAGE_STATES, ownedBySelf: true });
        for (const job of group) {
          settle(job, await writer.apply(job, { type: 'source.observed', state: source?.state ?? 'missing', sizeGiB: source?.sizeGiB }));
        }
      });
    }

    // 2. Copies due a look: each provider looks at its own, in the batches it finds cheapest.
    const copying = groupBy(copiesToLook(inFlight, startedAt, command.kind), (j) => scopeKey(j));
    for (const group of copying.values()) {
      const first = group[0];
      if (first === undefined) continue;
      if (!(deps.deadline ?? NO_DEADLINE).allows(OBSERVE_BATCH_MS)) {
        logger.warn('out of time: copies left for the next poll', { provider: first.provider, account: first.account, copies: group.length });
        continue;
      }
      let observations: ReadonlyMap<string, CopyObservation> = new Map();
      try {
        observations = await providerOf(first).observeCopies(group.map(copyInFlightOf));
      } catch (error) {
        noteFailure({ provider: first.provider, account: first.account }, error);
        continue;
      }
      // Progress alone (most of a pass at scale) is written in one batch; everything else one by one.
      const progress: Array<{ job: Job; event: JobEvent }> = [];
      for (const job of group) {
        await isolated({ jobId: job.id, region: job.destination.region }, async () => {
          const observation = observations.get(job.id) ?? { state: 'unobserved', retryable: true, code: 'NotObserved', message: 'the provider gave no answer for this copy' };
          const event = progressOf(job, observation);
          if (event === undefined) settle(job, await handleObservation(job, observation));
          else progress.push({ job, event });
        });
      }
      await isolated({ provider: first.provider, account: first.account, progressWrites: progress.length }, async () => {
        const answers = await writer.applyMany(progress);
        for (const { job } of progress) {
          const answer = answers.get(job.id);
          if (isReplicationError(answer)) noteFailure({ jobId: job.id }, answer);
          else settle(job, answer);
        }
      });
    }

    // 2b. A copy that became available is a replica its siblings may copy from (relay fan-out),
    //     and tells how fast its link is.
    await offerRelays(latest, inFlight);
    await recordSpeeds(inFlight, latest, startedAt);

    // 3. Copies available and waiting to be shared (a share refused for a moment, a crash before it).
    for (const job of [...latest.values()].filter((j) => j.status === JobStatus.Sharing)) {
      await isolated({ jobId: job.id }, async () => {
        settle(job, await shareStep({ providers, writer, logger }, job));
      });
    }

    // 3b. Deletions retention started and did not finish (a crash, a retryable refusal). Each asks
    // the provider a few questions first: those the invocation has no time for wait for the next.
    for (const job of [...latest.values()].filter((j) => j.status === JobStatus.Pruning)) {
      if (!(deps.deadline ?? NO_DEADLINE).allows(PRUNE_STEP_MS)) {
        logger.warn('out of time: unfinished deletions left for the next pass', { jobId: job.id });
        break;
      }
      await isolated({ jobId: job.id }, async () => {
        settle(job, await continuePrune({ providers, writer, logger, clock }, job));
      });
    }

    // 4. Dispatches whose dispatcher went quiet: ask the provider to find the copy, or queue the job again.
    const now = clock.now();
    for (const job of inFlight.filter((j) => j.status === JobStatus.Dispatching)) {
      if (secondsBetween(job.updatedAt, now) < DISPATCH_LEASE_SECONDS) continue;
      await isolated({ jobId: job.id }, async () => {
        const provider = providerOf(job);
        const copy = await provider.findCopy(copyRequestFor(job, new Date(job.updatedAt)));
        let next: Job | undefined;
        if (copy !== undefined && copy.state !== 'failed') {
          next = await writer.apply(job, { type: 'copy.accepted', handle: copy.handle, destinationImageId: copy.imageId, adopted: true });
        } else {
          // A failed leftover holds the name: removed before the retry makes another.
          if (copy !== undefined) await removeCopy(provider, { handle: copy.handle, destinationRegion: job.destination.region }, logger, job.id, 'leave');
          next = await writer.apply(job, {
            type: 'dispatch.deferred',
            reason: { code: 'DispatchLeaseExpired', message: 'the dispatcher did not record an answer; trying again' },
          });
        }
        logger.warn('recovered an abandoned dispatch', { jobId: job.id, foundCopy: copy?.imageId, status: next?.status });
        settle(job, next);
      });
    }

    // 5. Notifications queued when their job finished but not picked up since (lost send, dead consumer).
    const current = [...latest.values()];
    let notificationsQueued = 0;
    for (const job of current) {
      const requestedAt = job.notification.requestedAt;
      const attempts = pendingDeliveryAttempts(job);
      // Past the delay notify asked for itself, plus a margin: that message was lost.
      const stale =
        requestedAt !== undefined &&
        secondsBetween(requestedAt, now) >= NOTIFICATION_REQUEUE_SECONDS + (attempts === 0 ? 0 : webhookRedeliverySeconds(attempts));
      if (!isTerminal(job.status) || !stale) continue;
      const requeued = await writer.apply(job, { type: 'notification.requeued' });
      const message = requeued === undefined ? undefined : notificationMessage(requeued);
      if (message === undefined) continue;
      await queues.notify.send(message);
      notificationsQueued += 1;
    }

    // 6. Free slots: ask start-copy to dispatch now, where a queued job fits.
    const scopes = readyScopes(current, clock.now());
    if (scopes.length > 0) {
      await queues.startCopy.send(encodeMessage(DispatchRequestedV2, { type: 'dispatch.requested', version: 2, reason: 'poll-status', scopes }));
    }

    // 7. The next copy due before the next tick: a delayed look, so its end is seen within seconds.
    //    Not after a failure: a look that fails is not retried (the tick is), and must not fork.
    const lookAt = failure === undefined ? nextLookAt(latest.values(), clock.now(), until) : undefined;
    if (lookAt !== undefined) {
      const delaySeconds = Math.ceil((lookAt.getTime() - clock.now().getTime()) / 1000);
      await queues.poll.send(encodeMessage(PollRequestedV1, { type: 'poll.requested', version: 1, until: until.toISOString() }), { delaySeconds });
    }

    const outcome = { inFlight: inFlight.length, observed, finished, notificationsQueued, dispatchRequested: scopes.length > 0, nextLookAt: lookAt?.toISOString() };
    if (inFlight.length > 0) logger.info('poll done', { ...outcome });
    // A failed look is left to the tick, which looks anyway: redelivering it would only repeat it.
    if (failure !== undefined && command.kind === LookKind.Tick) throw failure;
    if (failure !== undefined) logger.warn('a look failed; the next tick looks again', { code: errorCode(failure) });
    return outcome;
  };

  /**
   * Tells the queued jobs of each source image about copies of it that just became available:
   * they may copy from them. Only our unencrypted copies of the same image: a relayed copy must be
   * the same image a direct copy would have been.
   */
  async function offerRelays(latest: Map<string, Job>, before: readonly Job[]): Promise<void> {
    const current = [...latest.values()];
    const wasFinished = new Set(before.filter((job) => job.status === JobStatus.Available || job.status === JobStatus.Sharing).map((job) => job.id));
    const sourceKey = (job: Job) => `${scopeKey(job)}/${job.source.region}/${job.source.imageId}`;
    const waiting = groupBy(
      current.filter((job) => (job.status === JobStatus.Queued || job.status === JobStatus.WaitingForSource) && job.allowRelay !== false),
      sourceKey,
    );
    for (const job of current) {
      const fresh = (job.status === JobStatus.Available || job.status === JobStatus.Sharing) && !wasFinished.has(job.id);
      if (!fresh || job.destinationImageId === undefined || job.destination.encrypted === true || job.shareOnly === true || job.allowRelay === false) continue;
      if (providers.get(job.provider, job.account).copiesFromReplicas !== true) continue;
      for (const sibling of waiting.get(sourceKey(job)) ?? []) {
        const next = await writer.apply(latest.get(sibling.id) ?? sibling, { type: 'relay.available', relay: { region: job.destination.region, imageId: job.destinationImageId } });
        if (next !== undefined) latest.set(next.id, next);
      }
    }
  }

  /**
   * Folds the speed of every copy this pass saw finish into its account's record: one read and one
   * write per account, and only when something finished. A speed is advice: failing to keep it is
   * logged, never a failed poll.
   */
  async function recordSpeeds(before: readonly Job[], latest: ReadonlyMap<string, Job>, seenAt: Date): Promise<void> {
    if (deps.speeds === undefined) return;
    const finishedByScope = new Map<string, SpeedObservation[]>();
    for (const job of before) {
      const after = latest.get(job.id);
      const observation = after === undefined ? undefined : finishedCopySpeed(job, after, seenAt);
      if (observation === undefined) continue;
      const observations = finishedByScope.get(scopeKey(job));
      if (observations === undefined) finishedByScope.set(scopeKey(job), [observation]);
      else observations.push(observation);
    }
    for (const [scope, observations] of finishedByScope) {
      try {
        const stored = await deps.speeds.readSpeeds(scope);
        await deps.speeds.writeSpeeds(scope, withObservations(stored, observations, seenAt));
      } catch (error) {
        logger.warn('copy speeds could not be recorded', { scope, copies: observations.length, code: errorCode(error), error: errorMessage(error) });
      }
    }
  }

  /** The scopes (and source regions) where some queued job's back-off is over and its slots are free. Linear. */
  function readyScopes(current: readonly Job[], now: Date): { provider: DispatchScope['provider']; account: string; regions: string[] }[] {
    const ledger = new CapacityLedger(deps.limitCap);
    for (const job of current) if (isRunning(job.status)) ledger.take(slotsOf({ providers }, job));
    const ready = new Map<string, { scope: DispatchScope; regions: Set<string> }>();
    for (const job of current) {
      if (job.status !== JobStatus.Queued || isBackingOff(job, now)) continue;
      if (!candidateSources(job).some((source) => ledger.fits(slotsFrom({ providers }, job, source)))) continue;
      const key = scopeKey(job);
      const entry = ready.get(key) ?? { scope: { provider: job.provider, account: job.account }, regions: new Set<string>() };
      entry.regions.add(job.source.region);
      ready.set(key, entry);
    }
    return [...ready.values()].map(({ scope, regions }) => ({ provider: scope.provider, account: scope.account, regions: [...regions].sort() }));
  }

  /**
   * The copies this pass looks at: those due, and, where the provider sees a whole region in one
   * look, every other copy in a region where one is due (their predictions sharpen for nothing).
   */
  function copiesToLook(inFlight: readonly Job[], now: Date, kind: LookKind): Job[] {
    const watched = inFlight.filter((j) => j.status === JobStatus.Copying || j.status === JobStatus.Stopping);
    const regionKey = (j: Job) => `${scopeKey(j)}\n${j.destination.region}`;
    const wholeRegion = (j: Job) => providers.get(j.provider, j.account).observesWholeRegions === true;
    const regions = groupBy(watched, regionKey);
    const due = watched.filter((j) => (wholeRegion(j) ? isDueInRegion(j, regions.get(regionKey(j)) ?? [], now, kind) : isDue(j, now, kind)));
    const dueRegions = new Set(due.filter(wholeRegion).map(regionKey));
    if (dueRegions.size === 0) return due;
    const dueIds = new Set(due.map((j) => j.id));
    return watched.filter((j) => dueIds.has(j.id) || dueRegions.has(regionKey(j)));
  }

  /** The event of an observation that is progress and nothing else (running, on time), if it is one. */
  function progressOf(job: Job, observation: CopyObservation): JobEvent | undefined {
    if (job.status !== JobStatus.Copying || observation.state !== CopyState.Running) return undefined;
    if (isPastDeadline(job, clock.now())) return undefined;
    return {
      type: 'copy.observed',
      state: CopyState.Running,
      progressPercent: observation.progressPercent,
      remainingSeconds: observation.remainingSeconds,
      handle: observation.handle,
      destinationImageId: observation.imageId,
    };
  }

  async function handleObservation(job: Job, observation: CopyObservation): Promise<Job | undefined> {
    const provider = providers.get(job.provider, job.account);
    const stopDeps = { writer, clock, logger };
    if (job.status === JobStatus.Stopping) return stopCopy(stopDeps, provider, job, copyInFlightOf(job), observation);
    if (observation.state === 'unobserved') {
      if (observation.retryable) throw new RetryableError(observation.code, observation.message);
      logger.warn('copy could not be observed', { jobId: job.id, code: observation.code, error: observation.message });
      return undefined;
    }
    const overdue = isPastDeadline(job, clock.now());
    if (overdue && (observation.state === CopyState.Running || observation.state === CopyState.Missing)) {
      // The decision is stored before the cancel: a poll whose clock runs behind then reads the
      // copy vanishing as stopped, not as lost.
      const stopping = await writer.apply(job, { type: 'copy.stopping', outcome: JobStatus.TimedOut });
      if (stopping === undefined) return undefined;
      logger.warn('stopping a copy past its timeout', { jobId: job.id, destinationImageId: job.destinationImageId, timeoutSeconds: job.copyTimeoutSeconds });
      return stopCopy(stopDeps, provider, stopping, copyInFlightOf(stopping), observation);
    }
    switch (observation.state) {
      case CopyState.Running:
        return writer.apply(job, {
          type: 'copy.observed',
          state: CopyState.Running,
          progressPercent: observation.progressPercent,
          remainingSeconds: observation.remainingSeconds,
          handle: observation.handle,
          destinationImageId: observation.imageId,
        });
      case CopyState.Available:
        return writer.apply(job, {
          type: 'copy.observed',
          state: CopyState.Available,
          handle: observation.handle,
          destinationImageId: observation.imageId,
          copySeconds: observation.copySeconds,
        });
      case CopyState.Failed:
        // A failed copy still holds its name and storage: remove it before any retry makes another.
        if (observation.leftover) await removeCopy(provider, { handle: job.copyHandle ?? '', destinationRegion: job.destination.region }, logger, job.id, 'leave');
        return writer.apply(job, { type: 'copy.observed', state: CopyState.Failed, error: { code: observation.code, message: observation.message } });
      case CopyState.Missing:
        return writer.apply(job, { type: 'copy.observed', state: CopyState.Missing });
    }
  }
};
