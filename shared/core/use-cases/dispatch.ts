import { addSeconds, type Clock } from '../domain/clock';
import { CapacityLedger } from '../domain/capacity';
import { type Deadline, NO_DEADLINE } from '../domain/deadline';
import { errorCode, errorMessage, isRetryable } from '../domain/errors';
import { isBackingOff, type Job, JobStatus, isRunning } from '../domain/job';
import { idempotencyTokenFor } from '../domain/job-id';
import { scopeKey } from '../domain/policy';
import { DISPATCH_DEFER_SECONDS } from '../domain/retry-policy';
import { type CapacitySlot, type CopyProviders, type CopyRequest, RefusalReason, type StartCopyResult } from '../ports/copy-provider';
import type { JobStore } from '../ports/job-store';
import type { Logger } from '../ports/logger';
import type { PlanHints } from '../ports/plan-hints';
import type { SpeedBook } from '../ports/speed-book';
import type { DispatchScope } from './commands';
import type { JobWriter } from './job-writer';
import { shareStep } from './share-step';
import { type CopySource, createSourceChooser, type SourceChooser, sourceOf } from './source-choice';

export interface DispatchDeps {
  readonly providers: CopyProviders;
  readonly jobs: JobStore;
  readonly writer: JobWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lowers every provider limit (never raises it): the policy file's maxConcurrentCopiesPerRegion. */
  readonly limitCap?: number | undefined;
  /** No claim is made without time to start its copy and record it. */
  readonly deadline?: Deadline | undefined;
  /** Observed copy speeds, by which relay sources are chosen; without them, the first free source. */
  readonly speeds?: SpeedBook | undefined;
  /** Where a pass leaves its joint schedule's order for the next pass's search to start from. */
  readonly plans?: PlanHints | undefined;
}

/** A claim, a copy call and its record. */
const START_COPY_MS = 5_000;

export interface DispatchOutcome {
  readonly started: number;
  readonly deferred: number;
  readonly rejected: number;
  /** Queued jobs left waiting for a slot, a busy source image or their back-off. */
  readonly waiting: number;
}

export const slotsFrom = (deps: Pick<DispatchDeps, 'providers'>, job: Job, source: CopySource): readonly CapacitySlot[] =>
  deps.providers.get(job.provider, job.account).capacity.slotsFor({
    sourceRegion: source.region,
    sourceImageId: source.imageId,
    destinationRegion: job.destination.region,
  });

/** The slots a job holds (running) or would take: counted from where it copies. */
export const slotsOf = (deps: Pick<DispatchDeps, 'providers'>, job: Job): readonly CapacitySlot[] => slotsFrom(deps, job, sourceOf(job));

/** An image with no plan is taken to need its copy work at this speed, for the order only. */
const ORDER_GIB_PER_HOUR = 100;

/**
 * Longest first: the source images expected to be done last go first, so a large or late image
 * does not wait behind small ones and finish last. Where the chooser planned an image (its
 * distribution tree, source-choice), by when its plan ends; else by its copy work left. Within an
 * image, by `rank` (the planned start, or the fastest copy out of the source first); ties by id:
 * the order depends on no timestamp.
 */
export const longestFirst = (queued: readonly Job[], rank: (job: Job) => number = () => 0, dueInMs: (job: Job) => number | undefined = () => undefined): Job[] => {
  const sourceKey = (job: Job) => `${job.provider}/${job.account}/${job.source.region}/${job.source.imageId}`;
  const remaining = new Map<string, number>();
  for (const job of queued) remaining.set(sourceKey(job), (remaining.get(sourceKey(job)) ?? 0) + (job.source.sizeGiB ?? 0));
  const due = (job: Job) => {
    const planned = dueInMs(job);
    // Not a number would make the order depend on the input's: the copy work decides instead.
    return planned !== undefined && Number.isFinite(planned) ? planned : ((remaining.get(sourceKey(job)) ?? 0) / ORDER_GIB_PER_HOUR) * 3_600_000;
  };
  return [...queued].sort((a, b) => due(b) - due(a) || sourceKey(a).localeCompare(sourceKey(b)) || rank(a) - rank(b) || a.id.localeCompare(b.id));
};

/** A running copy, or a claim older than `mine` (ties broken by id): it holds its slots before mine. */
const claimedBefore = (other: Job, mine: Job): boolean =>
  other.status === JobStatus.Copying ||
  // A copy being stopped still runs at the provider (one IMS cannot stop, for hours): it holds its slots.
  other.status === JobStatus.Stopping ||
  (other.status === JobStatus.Dispatching && (other.updatedAt < mine.updatedAt || (other.updatedAt === mine.updatedAt && other.id < mine.id)));

const inScopes = (job: Job, scopes: readonly DispatchScope[] | undefined): boolean =>
  scopes === undefined ||
  scopes.some((s) => s.provider === job.provider && s.account === job.account && (s.regions === undefined || s.regions.includes(job.source.region)));

export const copyRequestFor = (job: Job, claimedAt: Date): CopyRequest => ({
  jobId: job.id,
  source: { region: sourceOf(job).region, imageId: sourceOf(job).imageId, sizeGiB: job.source.sizeGiB },
  destination: {
    region: job.destination.region,
    name: job.destination.imageName,
    description: job.destination.description,
    encrypted: job.destination.encrypted,
    kmsKeyId: job.destination.kmsKeyId,
    tags: job.destination.tags,
    copiedTags: job.destination.copiedTags,
    family: job.destination.family,
    options: job.destination.options,
  },
  idempotencyToken: idempotencyTokenFor(job),
  claimedAt,
});

/**
 * Starts as many queued copies as each provider's capacity rule allows, longest first, each from
 * the source expected to finish it first (source-choice). Capacity is counted once per pass. Each
 * job is claimed with a conditional write before the provider is called; after the claims, one
 * read of the jobs in flight settles races with other dispatchers (every copy we start comes back
 * as an event and runs a pass of its own): the earlier claims win.
 */
/** Rounds of claims in one pass: enough to refill the slots a few refusals freed, never a loop. */
const MAX_ROUNDS = 4;

export const createDispatch = (deps: DispatchDeps) => {
  return async (scopes?: readonly DispatchScope[]): Promise<DispatchOutcome> => {
    const inFlight = await deps.jobs.listInFlight();
    const now = deps.clock.now();
    let queued = longestFirst(inFlight.filter((job) => job.status === JobStatus.Queued && inScopes(job, scopes)));
    const ledger = new CapacityLedger(deps.limitCap);
    for (const job of inFlight) if (isRunning(job.status)) ledger.take(slotsOf(deps, job));
    const chooser = await createSourceChooser(
      {
        speeds: deps.speeds,
        plans: deps.plans,
        logger: deps.logger,
        slotsFor: (job, source) => slotsFrom(deps, job, source),
        relaysPay: (job) => deps.providers.get(job.provider, job.account).copiesFromReplicas === true,
        initialLedger: ledger,
      },
      inFlight,
      queued,
      now,
    );
    // The same slots again, with when each copy should end: when a busy source frees.
    const timed = new CapacityLedger(deps.limitCap);
    for (const job of inFlight) if (isRunning(job.status)) timed.take(slotsOf(deps, job), chooser.runningEndsAt(job));
    chooser.plan(timed);
    queued = longestFirst(
      queued,
      (job) => chooser.rank(job),
      (job) => {
        const due = chooser.due(job);
        return due === undefined ? undefined : due - now.getTime();
      },
    );
    const total = { started: 0, deferred: 0, rejected: 0 };
    const throttled = new Set<string>();
    // A refusal frees its slots: the jobs left waiting get another round in the same pass.
    for (let round = 0; round < MAX_ROUNDS && queued.length > 0; round += 1) {
      if (round > 0) chooser.dropSchedule();
      const result = await dispatchRound(queued, timed, chooser, throttled, now);
      total.started += result.started;
      total.deferred += result.deferred;
      total.rejected += result.rejected;
      queued = result.left;
      if (!result.freed) break;
    }
    return { ...total, waiting: queued.length };
  };

  /** A share in the source's own region: no copy, no capacity; the source image is shared as it is. */
  async function startShareOnly(job: Job): Promise<void> {
    const { writer } = deps;
    if (job.notBefore !== undefined && new Date(job.notBefore) > deps.clock.now()) return;
    const claimed = await writer.apply(job, { type: 'dispatch.claimed' });
    const accepted = claimed && (await writer.apply(claimed, { type: 'copy.accepted', handle: '', destinationImageId: job.source.imageId, route: 'share-only' }));
    const sharing = accepted && (await writer.apply(accepted, { type: 'copy.observed', state: 'available' }));
    if (!sharing) return;
    try {
      await shareStep(deps, sharing);
    } catch (error) {
      // A share the provider finishes later (a job) or cannot answer now: the job stays `sharing`
      // and poll-status goes on with it; this pass goes on with the other copies.
      if (!isRetryable(error)) throw error;
      deps.logger.info('share not finished yet; poll-status goes on with it', { jobId: job.id, code: errorCode(error), error: errorMessage(error) });
    }
  }

  async function dispatchRound(queued: readonly Job[], ledger: CapacityLedger, chooser: SourceChooser, throttled: Set<string>, now: Date) {
    const { jobs, writer, clock, logger } = deps;
    const left: Job[] = [];
    let freed = false;
    // 1. Choose and claim, counting capacity as we go.
    const claims: { job: Job; slots: readonly CapacitySlot[]; endsAt: Date | undefined }[] = [];
    for (const job of queued) {
      if (job.shareOnly === true) {
        await startShareOnly(job);
        continue;
      }
      const backingOff = isBackingOff(job, now);
      const outOfTime = !(deps.deadline ?? NO_DEADLINE).allows(START_COPY_MS * (claims.length + 1));
      // The source expected to finish first among those free now, unless waiting for a busy or
      // unborn one is clearly better (source-choice).
      const source = backingOff || outOfTime || throttled.has(scopeKey(job)) ? undefined : chooser.choose(job, ledger);
      if (source === undefined) {
        left.push(job);
        continue;
      }
      const slots = slotsFrom(deps, job, source);
      const claimed = await writer.apply(job, { type: 'dispatch.claimed', relay: source.relay });
      if (claimed === undefined) continue;
      const endsAt = chooser.endsAt(job, source);
      ledger.take(slots, endsAt);
      chooser.claimed(job);
      claims.push({ job: claimed, slots, endsAt });
    }
    if (claims.length === 0) return { started: 0, deferred: 0, rejected: 0, left, freed };

    // 2. One read settles races with concurrent passes: a claim steps back if claims made before
    //    it fill one of its slots.
    const current = (await jobs.listInFlight()).filter((job) => isRunning(job.status));
    const winners: typeof claims = [];
    for (const claim of claims) {
      const mine = new Set(claim.slots.map((slot) => slot.key));
      const contenders = new CapacityLedger(deps.limitCap);
      for (const other of current) {
        if (other.id === claim.job.id || !claimedBefore(other, claim.job)) continue;
        const theirs = slotsOf(deps, other).filter((slot) => mine.has(slot.key));
        contenders.take(theirs);
      }
      if (contenders.fits(claim.slots)) {
        winners.push(claim);
        continue;
      }
      await writer.apply(claim.job, { type: 'dispatch.deferred', reason: { code: 'CapacityTaken', message: 'another dispatcher took the slot first' } });
      ledger.release(claim.slots, claim.endsAt);
      ledger.block(claim.slots);
    }

    // 3. Start the winners' copies.
    let started = 0;
    let deferred = 0;
    let rejected = 0;
    for (const { job, slots, endsAt } of winners) {
      const provider = deps.providers.get(job.provider, job.account);
      const log = logger.child({ jobId: job.id, provider: job.provider, source: `${job.source.region}/${job.source.imageId}`, destination: job.destination.region });
      if (throttled.has(scopeKey(job))) {
        // The provider asked us to slow down: the rest of its claims wait for the next pass.
        await writer.apply(job, { type: 'dispatch.deferred', reason: { code: 'Throttled', message: 'the provider is throttling; waiting' }, retryAt: addSeconds(clock.now(), DISPATCH_DEFER_SECONDS) });
        ledger.release(slots, endsAt);
        deferred += 1;
        continue;
      }
      const plan = provider.planCopy({ source: { region: job.source.region, imageId: job.source.imageId, sizeGiB: job.source.sizeGiB }, destination: copyRequestFor(job, now).destination });
      const result: StartCopyResult =
        plan.kind === 'refused'
          ? { kind: 'refused', reason: RefusalReason.Invalid, code: plan.code, message: plan.message }
          : await provider.startCopy(copyRequestFor(job, new Date(job.updatedAt))).catch((error: unknown): StartCopyResult =>
              // A throw is a call that failed on its way: retryable ones may have reached the provider.
              isRetryable(error)
                ? { kind: 'unknown', code: errorCode(error), message: errorMessage(error) }
                : { kind: 'refused', reason: RefusalReason.Invalid, code: errorCode(error), message: errorMessage(error) },
            );
      switch (result.kind) {
        case 'started':
          await writer.apply(job, {
            type: 'copy.accepted',
            handle: result.handle,
            destinationImageId: result.imageId,
            route: plan.kind === 'copy' ? plan.route : undefined,
            adopted: result.adopted,
            expectedSeconds: chooser.observedSeconds(job, sourceOf(job)),
          });
          log.info(result.adopted ? 'adopted the copy that already exists' : 'copy started', { destinationImageId: result.imageId, attempt: job.attempt });
          started += 1;
          break;
        case 'unknown':
          // The copy may be running: its slots stay taken for this pass, and the retry finds it
          // (same idempotency token, or the provider looks before it submits again).
          await writer.apply(job, { type: 'dispatch.deferred', reason: { code: result.code, message: result.message }, retryAt: addSeconds(clock.now(), DISPATCH_DEFER_SECONDS) });
          log.warn('copy outcome unknown, will look again', { code: result.code, error: result.message });
          deferred += 1;
          break;
        case 'refused':
          if (result.reason === RefusalReason.Busy || result.reason === RefusalReason.Throttled) {
            ledger.release(slots, endsAt);
            const busy = result.busySlots === undefined ? slots : slots.filter((slot) => result.busySlots?.includes(slot.key));
            if (result.reason === RefusalReason.Busy) ledger.block(busy);
            else throttled.add(scopeKey(job));
            await writer.apply(job, { type: 'dispatch.deferred', reason: { code: result.code, message: result.message }, retryAt: addSeconds(clock.now(), DISPATCH_DEFER_SECONDS) });
            log.warn('copy deferred', { reason: result.reason, code: result.code, error: result.message });
            deferred += 1;
          } else {
            ledger.release(slots, endsAt);
            freed = true;
            await writer.apply(job, { type: 'dispatch.rejected', error: { code: result.code, message: result.message } });
            log.error('copy refused', { reason: result.reason, code: result.code, error: result.message });
            rejected += 1;
          }
          break;
        case 'source-missing':
          ledger.release(slots, endsAt);
          freed = true;
          await writer.apply(job, { type: 'dispatch.rejected', error: { code: 'SourceImageNotFound', message: result.message } });
          log.error('source image gone', { code: result.code });
          rejected += 1;
          break;
      }
    }
    return { started, deferred, rejected, left, freed };
  }
};
