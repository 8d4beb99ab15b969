import type { CapacityLedger } from '../domain/capacity';
import { addSeconds } from '../domain/clock';
import { type CopySpeeds, runningCopySpeed, SpeedEstimate, type SpeedObservation } from '../domain/copy-speed';
import { errorCode, errorMessage } from '../domain/errors';
import { type FanOutPlan, type PlanHolder, type PlannedCopy, type PlanTarget, planFanOut } from '../domain/fan-out-plan';
import { isBackingOff, type Job, JobStatus, type Relay } from '../domain/job';
import { type JointSchedule, type ScheduleCopy, type ScheduleHolder, scheduleJointly } from '../domain/joint-schedule';
import { predictedEndOf } from '../domain/look-schedule';
import { scopeKey } from '../domain/policy';
import type { CapacitySlot } from '../ports/copy-provider';
import type { Logger } from '../ports/logger';
import type { PlanHints } from '../ports/plan-hints';
import type { SpeedBook } from '../ports/speed-book';

/** Where a copy is made from: the source image, or a finished replica of it (relay). */
export interface CopySource {
  readonly region: string;
  readonly imageId: string;
  readonly relay?: Relay | undefined;
}

/** The source the job's current attempt copies from. */
export const sourceOf = (job: Job): CopySource =>
  job.relay === undefined ? { region: job.source.region, imageId: job.source.imageId } : { region: job.relay.region, imageId: job.relay.imageId, relay: job.relay };

/**
 * The sources a queued job may copy from now, in order of preference: an attempt that already
 * chose keeps its choice (its retry must ask the same); else the source, then the replicas it
 * heard of, newest first.
 */
export const candidateSources = (job: Job): CopySource[] => {
  if (job.relay !== undefined) return [sourceOf(job)];
  const original = { region: job.source.region, imageId: job.source.imageId };
  if (job.allowRelay === false || job.attemptFromSource === true) return [original];
  return [original, ...[...(job.relays ?? [])].reverse().map((relay) => ({ region: relay.region, imageId: relay.imageId, relay }))];
};

/** A copy's end when nobody can predict it: a guess that neither waits forever nor counts on it. */
export const UNKNOWN_END_SECONDS = 30 * 60;
/**
 * Waiting for a better source (a busy fast one, a replica still being made) pays only when it
 * saves this much against starting now, or WAIT_WORTH_SHARE of the time left: predictions err,
 * and a copy started now is a copy that cannot be lost to a wrong one.
 */
const WAIT_WORTH_SECONDS = 10 * 60;
const WAIT_WORTH_SHARE = 0.1;
/** A late copy is assumed to need as long again as it is late (never less than this). */
const MIN_OVERRUN_SECONDS = 60;

/** An end read sceptically: one already past is given its delay again. */
const notBefore = (end: Date, now: Date): Date => {
  const late = (now.getTime() - end.getTime()) / 1000;
  return late <= 0 ? end : addSeconds(now, Math.max(late, MIN_OVERRUN_SECONDS));
};

/**
 * When a running copy should end, from its prediction, read sceptically. Only a prediction made
 * from progress or the provider's own estimate counts: a copy at 0 % (waiting at the provider)
 * carries the time of its next look, which says nothing of its end.
 */
export const expectedEnd = (job: Job, now: Date): Date | undefined => {
  const predicted = predictedEndOf(job);
  return predicted === undefined ? undefined : notBefore(predicted, now);
};

/** A copy of the job's source image that is still being made: a source once it is available. */
interface FutureSource {
  readonly region: string;
  readonly jobId: string;
  readonly readyAt: Date;
}

interface Option {
  readonly source?: CopySource | undefined;
  readonly startsNow: boolean;
  readonly finishesAt: number;
  /** What choosing it costs: its finish, plus the slot time it holds (see WORK_WEIGHT). */
  readonly cost: number;
}

export interface SourceChooserDeps {
  readonly speeds?: SpeedBook | undefined;
  /** The last pass's joint schedule order: where this pass's search starts. */
  readonly plans?: PlanHints | undefined;
  readonly logger: Logger;
  /** The provider's slots a copy of `job` from `source` takes. */
  readonly slotsFor: (job: Job, source: CopySource) => readonly CapacitySlot[];
  /** Whether the job's provider copies from replicas at all (CopyProvider.copiesFromReplicas). */
  readonly relaysPay: (job: Job) => boolean;
  /** The slots taken before the pass: which waiting images could start now. */
  readonly initialLedger?: CapacityLedger | undefined;
}

export interface SourceChooser {
  /**
   * Plans each image's distribution tree (fan-out-plan) from the slots as taken now, with when
   * each frees: `due` and `rank` then order the pass by the plans. The sources themselves are
   * still chosen copy by copy (`choose`): following the plans' sources, which ignore the other
   * images' need for the same slots, made the fan-out bench slower on every draw.
   */
  plan(ledger: CapacityLedger): void;
  /** When the job's image is expected to be everywhere, by its plan (ms); undefined where unplanned. */
  due(job: Job): number | undefined;
  /** The pass's order within an image: the planned start, else the estimated seconds of a copy out of its source region (0 when unknown). */
  rank(job: Job): number;
  /**
   * A refusal freed slots the joint schedule counted as taken: the rest of the pass chooses copy by
   * copy, so that a copy the schedule put behind the refused one does not wait a pass for it.
   */
  dropSchedule(): void;
  /** The pass claimed the job: an image that had no other way out of its source no longer waits for it. */
  claimed(job: Job): void;
  /** When a running copy should end: its prediction, else its start plus the copy time estimated. */
  runningEndsAt(job: Job): Date | undefined;
  /** The source to start the job's copy from now, or undefined: nothing fits, or waiting is worth it. */
  choose(job: Job, ledger: CapacityLedger): CopySource | undefined;
  /** When a copy of `job` from `source` started now should end, if it can be estimated. */
  endsAt(job: Job, source: CopySource): Date | undefined;
  /** Seconds a copy of `job` from `source` should take, only where copies over that link were seen. */
  observedSeconds(job: Job, source: CopySource): number | undefined;
}

/**
 * A copy's slot time counted once more against its option: of two sources that end about as soon,
 * the faster link wins, since the slots it leaves free start other copies sooner (on the fan-out
 * bench, 1 did as well as 2 and better than 0 and 0.5).
 */
const WORK_WEIGHT = 1;
const option = (source: CopySource | undefined, startsNow: boolean, startMs: number, copySeconds: number): Option => ({
  source,
  startsNow,
  finishesAt: startMs + copySeconds * 1000,
  cost: startMs + copySeconds * 1000 * (1 + WORK_WEIGHT),
});

/**
 * Search steps for the plans of one pass: an image with six destinations is planned exactly in
 * about 1,500 (1 ms); one with dozens keeps its greedy plan improved as far as its share goes (a
 * step costs about 1 µs with 12 destinations, 5 µs with 25, so a pass spends 20–100 ms at most).
 * The pass's steps go to the images that go first; the others keep their greedy plans.
 */
const PLAN_STEPS_PER_IMAGE = 5_000;
const PLAN_STEPS_PER_PASS = 20_000;
/**
 * A pass's joint schedule search: copies decoded at most (an order of 100 copies decoded 1,000
 * times), so a pass spends about the same at any size, 45–120 ms on this 2-core machine; at least
 * 50 orders, at most 1,000. The search goes on from the last pass's order (PlanHints), so passes
 * add up. On the fan-out bench more search did better: the worst of 5 draws 1.38 at 100 orders a
 * pass, 1.31 at 1,000.
 */
const JOINT_COPIES_DECODED = 100_000;
const jointBudget = (copies: number): number => Math.min(1_000, Math.max(50, Math.floor(JOINT_COPIES_DECODED / copies)));
/** Beyond this many waiting copies a pass keeps to the images' own plans. */
const JOINT_MAX_COPIES = 1_000;

/** A holder's id in a plan or schedule of the image `key`: its source, or a replica of it. */
const holderId = (key: string, source: CopySource): string => (source.relay === undefined ? `${key}#source` : `${key}#relay:${source.imageId}`);

/** Region ids start with their area: `cn-hangzhou`, `ap-southeast-1`, `la-south-2`. */
const areaOf = (region: string): string => region.split('-', 1)[0] ?? region;
/** How much longer an unobserved copy to another area is assumed to take, for the order only. */
const FAR_GUESS_FACTOR = 2;

const sourceImageKey = (job: Job): string => `${scopeKey(job)}/${job.source.region}/${job.source.imageId}`;

/** A copy that, once available, siblings may copy from (as offerRelays in poll-status offers it). */
const relayable = (job: Job): boolean => job.allowRelay !== false && job.destination.encrypted !== true && job.shareOnly !== true;

/**
 * Chooses each copy's source by when it is expected to finish: for the source image and every
 * replica (finished, or still being made), when its slots have room (from the predicted ends of
 * the copies holding them) plus the copy time over that link (observed speeds, see copy-speed).
 * A job whose best option is not free now waits for it, unless a free one is nearly as good.
 * With nothing to choose between, or no size to weigh, it is the first free candidate, in order.
 */
export const createSourceChooser = async (deps: SourceChooserDeps, inFlight: readonly Job[], queued: readonly Job[], now: Date): Promise<SourceChooser> => {
  const futures = new Map<string, FutureSource[]>();
  const running = new Map<string, SpeedObservation[]>();
  const append = <T>(map: Map<string, T[]>, key: string, item: T) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [item]);
    else list.push(item);
  };
  for (const job of inFlight) {
    if (job.status !== JobStatus.Copying) continue;
    const readyAt = expectedEnd(job, now);
    if (readyAt !== undefined && relayable(job)) append(futures, sourceImageKey(job), { region: job.destination.region, jobId: job.id, readyAt });
    const speed = runningCopySpeed(job, now);
    if (speed !== undefined) append(running, scopeKey(job), speed);
  }

  // One read per provider account with a choice to make.
  const estimates = new Map<string, SpeedEstimate>();
  const weighed = (job: Job) => job.source.sizeGiB !== undefined && (sourcesFor(job).length > 1 || (futuresFor(job).length > 0 && job.relay === undefined));
  // Read for ranking too, where there is something to order: the copies waiting in an account,
  // one image's (one at a time out of its source) or several images' (which of them the account's
  // slots go to first, the joint schedule).
  const waitingPerScope = new Map<string, number>();
  for (const job of queued) waitingPerScope.set(scopeKey(job), (waitingPerScope.get(scopeKey(job)) ?? 0) + 1);
  const ranked = (job: Job) => job.source.sizeGiB !== undefined && deps.relaysPay(job) && (waitingPerScope.get(scopeKey(job)) ?? 0) > 1;
  // Also read where a copy may start and nothing is to be chosen: its first look is aimed by them.
  const choosing = new Set(queued.filter((job) => weighed(job) || ranked(job)).map((job) => scopeKey(job)));
  const mayStartNow = (job: Job) => job.source.sizeGiB !== undefined && job.shareOnly !== true && !isBackingOff(job, now);
  const starting = new Set(queued.filter(mayStartNow).map((job) => scopeKey(job)));
  /** Every account's speeds as read; `estimates` holds those with a choice or an order to make. */
  const predictions = new Map<string, SpeedEstimate>();
  for (const scope of new Set([...choosing, ...starting])) {
    let stored: CopySpeeds = {};
    try {
      stored = (await deps.speeds?.readSpeeds(scope)) ?? {};
    } catch (error) {
      deps.logger.warn('copy speeds could not be read; going on without them', { scope, code: errorCode(error), error: errorMessage(error) });
    }
    const estimate = new SpeedEstimate(stored, running.get(scope));
    predictions.set(scope, estimate);
    if (choosing.has(scope)) estimates.set(scope, estimate);
  }

  /** The sources a job may start from now: the source alone where replicas add nothing. */
  function sourcesFor(job: Job): CopySource[] {
    const all = candidateSources(job);
    return job.relay !== undefined || deps.relaysPay(job) ? all : all.filter((source) => source.relay === undefined);
  }

  function futuresFor(job: Job): FutureSource[] {
    if (job.relay !== undefined || job.allowRelay === false || job.attemptFromSource === true || !deps.relaysPay(job)) return [];
    const known = new Set((job.relays ?? []).map((relay) => relay.region));
    return (futures.get(sourceImageKey(job)) ?? []).filter((f) => f.region !== job.destination.region && !known.has(f.region) && f.region !== job.source.region);
  }

  /**
   * Every image leaves its source region at least once, through that region's few slots: images
   * that can leave no other way (no replica, finished or coming) go first there. Per (account,
   * source region), the images of that kind that could start now.
   */
  const regionKey = (job: Job) => `${scopeKey(job)}/${job.source.region}`;
  const sourceOnly = new Map<string, Set<string>>();
  const onlyFromSource = (job: Job) => sourcesFor(job).length === 1 && futuresFor(job).length === 0 && job.relay === undefined;
  const initial = deps.initialLedger;
  for (const job of queued) {
    if (job.shareOnly === true || !onlyFromSource(job) || isBackingOff(job, now)) continue;
    if (initial !== undefined && !initial.fits(deps.slotsFor(job, sourceOf(job)))) continue;
    sourceOnly.set(regionKey(job), (sourceOnly.get(regionKey(job)) ?? new Set()).add(sourceImageKey(job)));
  }
  const othersNeedSource = (job: Job): boolean => {
    const waiting = sourceOnly.get(regionKey(job));
    return waiting !== undefined && waiting.size > (waiting.has(sourceImageKey(job)) ? 1 : 0);
  };

  const copySeconds = (job: Job, from: string): number | undefined => {
    const estimate = estimates.get(scopeKey(job));
    return estimate === undefined || job.source.sizeGiB === undefined ? undefined : estimate.seconds(from, job.destination.region, job.source.sizeGiB);
  };

  /** Planned copies by job id; plans by source image. */
  const plannedCopies = new Map<string, PlannedCopy>();
  const plans = new Map<string, FanOutPlan>();

  /** An image's planning problem: its holders, each free when its slots are, and its waiting copies. */
  const problemOf = (jobs: readonly Job[], ledger: CapacityLedger): { key: string; first: Job; holders: PlanHolder[]; targets: PlanTarget[] } | undefined => {
    const first = jobs[0];
    if (first === undefined || !estimates.has(scopeKey(first))) return undefined;
    const key = sourceImageKey(first);
    const holders: PlanHolder[] = [];
    const holderIds = new Set<string>();
    const addHolder = (id: string, source: CopySource) => {
      if (holderIds.has(id)) return;
      holderIds.add(id);
      holders.push({ id, region: source.region, freeAtMs: ledger.freeAt(deps.slotsFor(first, source), now, UNKNOWN_END_SECONDS).getTime() });
    };
    const original: CopySource = { region: first.source.region, imageId: first.source.imageId };
    addHolder(holderId(key, original), original);
    const sourceIds = (job: Job): string[] => sourcesFor(job).map((source) => holderId(key, source));
    for (const job of jobs) for (const source of sourcesFor(job)) if (source.relay !== undefined) addHolder(holderId(key, source), source);
    const futuresOf = new Map(jobs.map((job) => [job, futuresFor(job)]));
    const wanted = new Set([...futuresOf.values()].flat());
    for (const future of futures.get(key) ?? []) {
      if (!wanted.has(future)) continue;
      const slots = deps.slotsFor(first, { region: future.region, imageId: `future:${future.jobId}` });
      holders.push({ id: `${key}#future:${future.jobId}`, region: future.region, freeAtMs: Math.max(future.readyAt.getTime(), ledger.freeAt(slots, now, UNKNOWN_END_SECONDS).getTime()) });
    }
    const targets: PlanTarget[] = jobs.map((job) => {
      const fixed = job.relay !== undefined || job.allowRelay === false || job.attemptFromSource === true;
      const futuresOfJob = (futuresOf.get(job) ?? []).map((future) => `${key}#future:${future.jobId}`);
      return {
        id: job.id,
        region: job.destination.region,
        // A back-off that does not parse is none, as dispatch reads it.
        notBeforeMs: Math.max(now.getTime(), Date.parse(job.notBefore ?? '') || 0),
        holders: [...sourceIds(job), ...futuresOfJob],
        fromReplicas: !fixed,
        relays: relayable(job),
      };
    });
    return { key, first, holders, targets };
  };

  /**
   * Seconds of a copy for ordering and planning. A pair nothing was seen of: a destination in the
   * source's own area (region ids start with it on both clouds, `cn-`, `ap-`, `eu-`…) is likely
   * the nearer. At the first pass this is all there is to keep an image's first copy, which its
   * others wait behind, off a far link.
   */
  const orderSeconds = (job: Job, from: string, to: string): number | undefined => {
    const estimate = estimates.get(scopeKey(job));
    if (estimate === undefined || job.source.sizeGiB === undefined) return undefined;
    const seconds = estimate.seconds(from, to, job.source.sizeGiB);
    return !estimate.observed(from, to) && areaOf(from) !== areaOf(to) ? seconds * FAR_GUESS_FACTOR : seconds;
  };

  /** The image's plan within `budget` search steps; undefined (and logged) when it cannot be planned. */
  const planOf = (problem: NonNullable<ReturnType<typeof problemOf>>, budget: number): FanOutPlan | undefined => {
    const { key, first, holders, targets } = problem;
    try {
      return planFanOut({ holders, targets, budget, copyMs: (from, to) => (orderSeconds(first, from, to) ?? 0) * 1000 });
    } catch (error) {
      // A plan orders the pass; without one the image is ordered by its copy work, never stuck.
      deps.logger.warn('no plan for an image; ordering it by its copy work', { image: key, code: errorCode(error), error: errorMessage(error) });
      return undefined;
    }
  };

  function runningEnd(job: Job): Date | undefined {
    const predicted = expectedEnd(job, now);
    if (predicted !== undefined || job.copyStartedAt === undefined) return predicted;
    const seconds = copySeconds(job, sourceOf(job).region);
    if (seconds === undefined) return undefined;
    return notBefore(addSeconds(new Date(job.copyStartedAt), seconds), now);
  }

  /** Every image's waiting copies in one schedule (joint-schedule); undefined when there is none. */
  let joint: JointSchedule | undefined;
  const jointSources = new Map<string, CopySource>();
  const jointlyPlanned = (images: readonly (readonly Job[])[], ledger: CapacityLedger): JointSchedule | undefined => {
    const holders: ScheduleHolder[] = [];
    const copies: ScheduleCopy[] = [];
    const capped = (slots: readonly CapacitySlot[]) => slots.map((slot) => ({ key: slot.key, limit: ledger.limitOf(slot) }));
    // Replicas being made, each a holder from when it should end (a copy at 0 % too: from its
    // start and the copy time estimated, as its slots are counted).
    const coming = new Map<string, FutureSource[]>();
    for (const job of inFlight) {
      if (job.status !== JobStatus.Copying || !relayable(job)) continue;
      const readyAt = runningEnd(job);
      if (readyAt !== undefined) append(coming, sourceImageKey(job), { region: job.destination.region, jobId: job.id, readyAt });
    }
    for (const jobs of images) {
      const first = jobs[0];
      if (first === undefined) continue;
      const key = sourceImageKey(first);
      const holderIds = new Set<string>();
      const add = (id: string, region: string, readyAtMs: number, slots: readonly CapacitySlot[], source?: CopySource) => {
        if (holderIds.has(id)) return;
        holderIds.add(id);
        holders.push({ id, image: key, region, readyAtMs, slots: capped(slots) });
        if (source !== undefined) jointSources.set(id, source);
      };
      const original: CopySource = { region: first.source.region, imageId: first.source.imageId };
      add(holderId(key, original), original.region, now.getTime(), deps.slotsFor(first, original), original);
      for (const job of jobs) for (const source of sourcesFor(job)) if (source.relay !== undefined) add(holderId(key, source), source.region, now.getTime(), deps.slotsFor(first, source), source);
      for (const job of jobs) {
        const fixed = job.relay !== undefined || job.allowRelay === false || job.attemptFromSource === true;
        // As `choose` does: the source region's slots go first to images that have no other way out.
        const keepSource = !onlyFromSource(job) && othersNeedSource(job);
        const ids = sourcesFor(job)
          .filter((source) => source.relay !== undefined || !keepSource)
          .map((source) => holderId(key, source));
        if (!fixed && deps.relaysPay(job)) {
          const known = new Set((job.relays ?? []).map((relay) => relay.region));
          for (const future of coming.get(key) ?? []) {
            if (future.region === job.destination.region || future.region === job.source.region || known.has(future.region)) continue;
            const id = `${key}#future:${future.jobId}`;
            add(id, future.region, future.readyAt.getTime(), deps.slotsFor(first, { region: future.region, imageId: `future:${future.jobId}` }));
            ids.push(id);
          }
        }
        copies.push({
          id: job.id,
          image: key,
          region: job.destination.region,
          notBeforeMs: Math.max(now.getTime(), Date.parse(job.notBefore ?? '') || 0),
          holders: ids,
          fromReplicas: !fixed,
          // A copy whose last try did not start (refused busy, deferred) may not start the next time
          // either: counting on its replica could hold a sibling back for as long as that lasts.
          relays: relayable(job) && job.lastError === undefined,
          replicaSlots: capped(deps.slotsFor(job, { region: job.destination.region, imageId: `planned:${job.id}` })),
        });
      }
    }
    if (copies.length === 0 || copies.length > JOINT_MAX_COPIES) return undefined;
    // A job of each image, in the order of urgency: the images whose own plans end last first.
    const firstJobs = images.flatMap((jobs) => jobs.slice(0, 1));
    const jobOf = new Map(firstJobs.map((job) => [sourceImageKey(job), job]));
    const urgency = new Map(firstJobs.map((job, index) => [sourceImageKey(job), index]));
    // Passes over other accounts or regions (poll-status asks for some) keep their own orders.
    const hintKey = [...new Set(firstJobs.map((job) => `${scopeKey(job)}/${job.source.region}`))].sort().join(' ');
    // Each image's copies by planned start.
    copies.sort((a, b) => (urgency.get(a.image) ?? 0) - (urgency.get(b.image) ?? 0) || (plannedCopies.get(a.id)?.startMs ?? 0) - (plannedCopies.get(b.id)?.startMs ?? 0));
    try {
      const schedule = scheduleJointly({
        nowMs: now.getTime(),
        takenUntil: ledger.takenUntil(now, UNKNOWN_END_SECONDS),
        holders,
        copies,
        copyMs: (image, from, to) => {
          const job = jobOf.get(image);
          return job === undefined ? 0 : (orderSeconds(job, from, to) ?? 0) * 1000;
        },
        hint: deps.plans?.read(hintKey),
        budget: jointBudget(copies.length),
        seed: now.getTime() % 2_147_483_647,
      });
      deps.plans?.write(hintKey, schedule.order);
      return schedule;
    } catch (error) {
      deps.logger.warn('no joint schedule; each image planned alone', { code: errorCode(error), error: errorMessage(error) });
      return undefined;
    }
  };

  return {
    plan(ledger) {
      const byImage = new Map<string, Job[]>();
      for (const job of queued) {
        if (job.shareOnly === true || !deps.relaysPay(job) || job.source.sizeGiB === undefined || !estimates.has(scopeKey(job))) continue;
        append(byImage, sourceImageKey(job), job);
      }
      // A greedy plan for every image (cheap, and enough to order them), then the search's budget
      // to the images that go first, each charged the steps it spent.
      const greedy: Array<{ problem: NonNullable<ReturnType<typeof problemOf>>; plan: FanOutPlan }> = [];
      for (const jobs of byImage.values()) {
        const problem = problemOf(jobs, ledger);
        const plan = problem === undefined ? undefined : planOf(problem, 0);
        if (problem !== undefined && plan !== undefined) greedy.push({ problem, plan });
      }
      greedy.sort((a, b) => b.plan.endMs - a.plan.endMs);
      let steps = PLAN_STEPS_PER_PASS;
      for (const { problem, plan: first } of greedy) {
        const plan = steps > 0 ? (planOf(problem, Math.min(PLAN_STEPS_PER_IMAGE, steps)) ?? first) : first;
        steps -= plan.steps;
        plans.set(problem.key, plan);
        for (const [jobId, copy] of plan.copies) plannedCopies.set(jobId, copy);
      }
      joint = jointlyPlanned(greedy.map(({ problem }) => byImage.get(problem.key) ?? []), ledger);
    },

    due(job) {
      return plans.get(sourceImageKey(job))?.endMs;
    },

    rank(job) {
      const planned = plannedCopies.get(job.id);
      if (planned !== undefined) return (planned.startMs - now.getTime()) / 1000;
      return orderSeconds(job, job.source.region, job.destination.region) ?? 0;
    },

    dropSchedule() {
      joint = undefined;
    },

    claimed(job) {
      sourceOnly.get(regionKey(job))?.delete(sourceImageKey(job));
    },

    runningEndsAt: runningEnd,

    endsAt(job, source) {
      const seconds = copySeconds(job, source.region);
      return seconds === undefined ? undefined : addSeconds(now, seconds);
    },

    observedSeconds(job, source) {
      const estimate = predictions.get(scopeKey(job));
      const sizeGiB = job.source.sizeGiB;
      if (estimate === undefined || sizeGiB === undefined || !estimate.observed(source.region, job.destination.region)) return undefined;
      return estimate.seconds(source.region, job.destination.region, sizeGiB);
    },

    choose(job, ledger) {
      const scheduled = joint?.copies.get(job.id);
      if (scheduled !== undefined) {
        if (scheduled.startMs > now.getTime()) return undefined;
        const source = jointSources.get(scheduled.fromId);
        if (source !== undefined && ledger.fits(deps.slotsFor(job, source))) return source;
      }
      const candidates = sourcesFor(job);
      const fitsNow = (source: CopySource) => ledger.fits(deps.slotsFor(job, source));
      if (!weighed(job) || !estimates.has(scopeKey(job))) return candidates.find(fitsNow);
      const options: Option[] = [];
      for (const source of candidates) {
        const slots = deps.slotsFor(job, source);
        // This job has another way; the source region's slots go first to images that do not.
        if (source.relay === undefined && !onlyFromSource(job) && othersNeedSource(job)) continue;
        const startsNow = ledger.fits(slots);
        const start = startsNow ? now : ledger.freeAt(slots, now, UNKNOWN_END_SECONDS);
        options.push(option(source, startsNow, start.getTime(), copySeconds(job, source.region) ?? 0));
      }
      for (const future of futuresFor(job)) {
        // Its own image slot is free when it is born; its region's slots are shared.
        const slots = deps.slotsFor(job, { region: future.region, imageId: `future:${future.jobId}` });
        const start = Math.max(future.readyAt.getTime(), ledger.freeAt(slots, now, UNKNOWN_END_SECONDS).getTime());
        options.push(option(undefined, false, start, copySeconds(job, future.region) ?? 0));
      }
      if (options.length === 0) return undefined;
      const best = options.reduce((a, b) => (b.cost < a.cost ? b : a));
      const bestNow = options.filter((o) => o.startsNow).reduce<Option | undefined>((a, b) => (a === undefined || b.cost < a.cost ? b : a), undefined);
      if (bestNow === undefined) return undefined;
      const saving = (bestNow.cost - best.cost) / 1000;
      const worth = Math.max(WAIT_WORTH_SECONDS, WAIT_WORTH_SHARE * ((bestNow.finishesAt - now.getTime()) / 1000));
      // Waiting must pay on cost (the slot time it spares others) and never end the copy later.
      return saving > worth && best.finishesAt <= bestNow.finishesAt ? undefined : bestNow.source;
    },
  };
};
