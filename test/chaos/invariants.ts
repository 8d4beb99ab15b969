import type { ReceivedNotification } from '../../examples/webhook-receiver';
import type { RuntimeSnapshot } from '../../runtime/local-runtime';
import { type Job, JobStatus, NotificationStatus, isInFlight, isTerminal } from '../../shared/core/domain/job';
import type { CopyCall, CopyMade } from './clouds';

export type Outcome = typeof JobStatus.Available | typeof JobStatus.Failed | typeof JobStatus.TimedOut;

/**
 * What one job must end in. `available-unless-exhausted`: available, unless the simulator failed
 * its copy on every attempt it had (only a scripted permanent failure may fail a job).
 */
export type ExpectedOutcome = Outcome | 'available-unless-exhausted';

/** One requested (source image, destination region): its outcome, its copy budget, who hears of it. */
export interface Expectation {
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly outcome: ExpectedOutcome;
  /** The outcome of the round the closing sweep opens for a failed or timed-out job; the first outcome again by default. */
  readonly reopened?: Outcome | undefined;
  readonly maxAttempts: number;
  readonly webhooks: readonly string[];
  /** Who an available copy must be shared with, at the cloud and on its job. */
  readonly shareWith?: readonly string[] | undefined;
}

/** The world at one moment: the jobs as stored, and every copy the simulator ever made. */
export interface Moment {
  readonly jobs: readonly Job[];
  readonly copies: readonly CopyMade[];
}

export interface Observation {
  readonly expectations: readonly Expectation[];
  /** Before the closing sweep, when there is one: the first round's outcomes are judged here. */
  readonly settled?: Moment | undefined;
  readonly final: Moment;
  /** Every copy call that reached the simulator (Alibaba's carry their ClientToken). */
  readonly copyCalls: readonly CopyCall[];
  readonly receivers: Readonly<Record<string, { readonly received: readonly ReceivedNotification[]; readonly rejected: number }>>;
  readonly snapshot: RuntimeSnapshot;
  /** Dead letters the scenario set out to cause (poison messages); none by default. */
  readonly expectedDeadLetters?: number | undefined;
  /** What was set aside, in words (`3× replication.requested after too many receives`). */
  readonly deadLetterSummary?: string | undefined;
  /** Images somebody else owns in the destinations: never to be adopted, tagged or deleted. */
  readonly strangers?: ReadonlyArray<{ readonly imageId: string; readonly exists: boolean; readonly tags: Readonly<Record<string, string>> }> | undefined;
}

export interface InvariantReport {
  readonly violations: readonly string[];
  /** Copies ever made (deleted ones included), and those still in the destinations at the end. */
  readonly copiesMade: number;
  readonly copiesLive: number;
  /** Copies that failed and were left in the destination. */
  readonly failedCopiesLeft: number;
  /** Copies that did not fail beyond one per round, or left alive beyond what the outcome allows. */
  readonly duplicateCopies: number;
  readonly notificationsExpected: number;
  /** (webhook, job) pairs whose receiver, deduping by event id, saw exactly the job's one event per round. */
  readonly notificationsExactlyOnce: number;
  /** Posts that reached a receiver, duplicates included. */
  readonly notificationPosts: number;
  readonly jobsLost: number;
  readonly jobsStuck: number;
  /** Jobs whose outcome is not the one the scenario expects. */
  readonly wrongOutcomes: number;
  readonly deadLetters: number;
}

const pairKey = (source: string, destination: string) => `${source} → ${destination}`;

/** What kind of promise a violation breaks: stable words, so a known product issue can be matched narrowly. */
export const Kind = {
  Lost: 'lost',
  Stuck: 'stuck',
  WrongOutcome: 'wrong-outcome',
  DuplicateCopy: 'duplicate-copy',
  FailedCopyLeft: 'failed-copy-left',
  TimedOutCopyLeft: 'timed-out-copy-left',
  UncountedFailure: 'uncounted-failure',
  NotOurCopy: 'not-our-copy',
  Token: 'token',
  Notification: 'notification',
  Unexpected: 'unexpected',
  Stranger: 'stranger',
  Share: 'share',
  DeadLetters: 'dead-letters',
  /** A scenario's own claim (a cancel was sent, the retry cleaned up first, ...). */
  Claim: 'claim',
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** `kind · subject: what`, the form every violation takes. */
export const violation = (kind: Kind, subject: string, text: string): string => `${kind} · ${subject}: ${text}`;

const describe = (copies: readonly CopyMade[]): string => copies.map((c) => `${c.imageId}${c.failed ? ' (failed)' : ''}${c.live ? '' : ' (deleted)'}`).join(', ');

/** Copies may only be made once per attempt: a retry of the same attempt must find the first one. */
export const attemptsUsed = (job: Pick<Job, 'round' | 'attempt'>, maxAttempts: number): number => (job.round - 1) * maxAttempts + job.attempt;

/**
 * The outcomes a first round may end in. Exhausted (the simulator failed a copy of this pair on
 * every attempt): failed, or available, because a failure the job never saw itself (a lost answer,
 * a dead dispatcher) is cleaned up and tried again without spending an attempt. Otherwise only the
 * expected one: a transient fault must never fail a job.
 */
const allowedFirst = (expectation: Expectation, copies: readonly CopyMade[]): readonly Outcome[] => {
  if (expectation.outcome !== 'available-unless-exhausted') return [expectation.outcome];
  return copies.filter((copy) => copy.failed).length >= expectation.maxAttempts ? [JobStatus.Failed, JobStatus.Available] : [JobStatus.Available];
};

const byPair = <T extends { readonly sourceImageId: string; readonly destinationRegion: string }>(items: readonly T[]) => {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const key = pairKey(item.sourceImageId, item.destinationRegion);
    map.set(key, [...(map.get(key) ?? []), item]);
  }
  return map;
};

const jobOf = (jobs: readonly Job[], e: Expectation): Job | undefined =>
  jobs.find((j) => j.source.imageId === e.sourceImageId && j.destination.region === e.destinationRegion);

/**
 * The promises of the product, checked against the world rather than the product's own records:
 * copies are counted in the simulators (every one ever made), notifications at the receivers.
 */
export const checkInvariants = (observed: Observation): InvariantReport => {
  const violations: string[] = [];
  const { final } = observed;
  const settled = observed.settled ?? final;
  const copiesByPair = byPair(final.copies);
  const settledCopiesByPair = byPair(settled.copies);
  const expectedPairs = new Set(observed.expectations.map((e) => pairKey(e.sourceImageId, e.destinationRegion)));
  let failedCopiesLeft = 0;
  let duplicateCopies = 0;
  let notificationsExpected = 0;
  let notificationsExactlyOnce = 0;
  let jobsLost = 0;
  let jobsStuck = 0;
  let wrongOutcomes = 0;

  for (const expectation of observed.expectations) {
    const key = pairKey(expectation.sourceImageId, expectation.destinationRegion);
    const copies = copiesByPair.get(key) ?? [];
    const job = jobOf(final.jobs, expectation);
    const first = jobOf(settled.jobs, expectation);
    if (job === undefined || first === undefined) {
      jobsLost += 1;
      violations.push(violation(Kind.Lost, key, 'no job was ever recorded'));
      continue;
    }
    if (!isTerminal(job.status) || isInFlight(job)) {
      jobsStuck += 1;
      violations.push(violation(Kind.Stuck, key, `job ${job.id} ended the run in ${job.status} (notification ${job.notification.status})`));
    }

    // The outcome: the first round's, then the one the closing sweep reopened (if it did).
    const firstAllowed = allowedFirst(expectation, settledCopiesByPair.get(key) ?? []);
    const reopened = job.round > first.round;
    const finalOutcome = reopened ? (expectation.reopened ?? first.status) : first.status;
    if (!(firstAllowed as readonly string[]).includes(first.status)) {
      wrongOutcomes += 1;
      violations.push(violation(Kind.WrongOutcome, key, `expected ${firstAllowed.join(' or ')}, the job ended ${first.status} (${first.lastError?.code ?? 'no error'}: ${first.lastError?.message ?? ''})`));
    } else if (job.status !== finalOutcome) {
      wrongOutcomes += 1;
      violations.push(violation(Kind.WrongOutcome, key, `after the closing sweep expected ${finalOutcome}, the job is ${job.status} (round ${job.round}, ${job.lastError?.code ?? 'no error'})`));
    } else if (!reopened && job.destinationImageId !== first.destinationImageId) {
      violations.push(violation(Kind.WrongOutcome, key, `the closing sweep changed the job's copy from ${first.destinationImageId} to ${job.destinationImageId}`));
    }

    // Copies, every one ever made: one that did not fail per round; one that failed per attempt,
    // each deleted; then what the outcome leaves alive.
    const budget = attemptsUsed(job, expectation.maxAttempts);
    const good = copies.filter((copy) => !copy.failed);
    const failed = copies.filter((copy) => copy.failed);
    if (good.length > job.round) {
      duplicateCopies += good.length - job.round;
      violations.push(violation(Kind.DuplicateCopy, key, `${good.length} copies made (${describe(copies)}) in ${job.round} round(s): one per round`));
    }
    if (failed.length > budget) violations.push(violation(Kind.UncountedFailure, key, `${failed.length} copies failed (${describe(failed)}) but the job used ${budget} attempt(s)`));
    const liveGood = good.filter((copy) => copy.live);
    const liveFailed = failed.filter((copy) => copy.live);
    const allowedLive = job.status === JobStatus.Available ? 1 : 0;
    if (liveGood.length > allowedLive && job.status === JobStatus.TimedOut && liveGood.length <= job.round) {
      // The port's promise for a copy the provider cannot stop: it may still finish, and is deleted then.
      violations.push(violation(Kind.TimedOutCopyLeft, key, `the copy that timed out is still in the destination (${describe(liveGood)}): nothing stopped or deleted it`));
    } else if (liveGood.length > allowedLive) {
      duplicateCopies += liveGood.length - allowedLive;
      violations.push(violation(Kind.DuplicateCopy, key, `job ended ${job.status} with ${liveGood.length} copies left (${describe(liveGood)}), ${allowedLive} allowed`));
    }
    failedCopiesLeft += liveFailed.length;
    if (liveFailed.length > 0) violations.push(violation(Kind.FailedCopyLeft, key, `failed copies left in the destination: ${describe(liveFailed)}`));
    // Whatever the outcome, the job never takes an image no copy of its source made (somebody else's).
    if (job.destinationImageId !== undefined && !copies.some((copy) => copy.imageId === job.destinationImageId)) {
      violations.push(violation(Kind.NotOurCopy, key, `the job recorded ${job.destinationImageId}, which no copy of its source made`));
    } else if (job.status === JobStatus.Available && !liveGood.some((copy) => copy.imageId === job.destinationImageId)) {
      violations.push(violation(Kind.NotOurCopy, key, `the job records ${job.destinationImageId ?? 'no image'}, which is not a live copy of its source (${describe(liveGood) || 'none'})`));
    }

    // Shares: an available copy is shared, at the cloud, with exactly whom the policy names, and its job says so.
    const shareWith = [...(expectation.shareWith ?? [])].sort();
    if (job.status === JobStatus.Available && shareWith.length > 0) {
      const copy = liveGood.find((candidate) => candidate.imageId === job.destinationImageId);
      const atCloud = [...(copy?.sharedWith ?? [])].sort();
      if (atCloud.join() !== shareWith.join()) violations.push(violation(Kind.Share, key, `the copy is shared with [${atCloud.join(', ')}] at the cloud, the policy names [${shareWith.join(', ')}]`));
      if ([...(job.sharedWith ?? [])].sort().join() !== shareWith.join()) violations.push(violation(Kind.Share, key, `the job records sharedWith [${(job.sharedWith ?? []).join(', ')}], the policy names [${shareWith.join(', ')}]`));
    }

    // Tokens: a retried copy call of one attempt carries that attempt's token, so distinct tokens never outnumber attempts.
    const tokens = new Set(
      observed.copyCalls
        .filter((call) => call.clientToken !== undefined && call.destinationRegion === expectation.destinationRegion && call.name === job.destination.imageName)
        .map((call) => call.clientToken),
    );
    if (tokens.size > budget) violations.push(violation(Kind.Token, key, `${tokens.size} distinct ClientTokens (${[...tokens].join(', ')}) for ${budget} attempt(s)`));

    if (job.notification.status !== NotificationStatus.Delivered && isTerminal(job.status)) {
      violations.push(violation(Kind.Notification, key, `notification ${job.notification.status}, expected delivered`));
    }
    for (const webhook of expectation.webhooks) {
      notificationsExpected += 1;
      const seen = [...new Set((observed.receivers[webhook]?.received ?? []).filter((n) => n.body.jobId === job.id).map((n) => n.eventId))];
      // A job the nightly sweep reopened has one outcome per round, each told once.
      const rounds = seen.map((eventId) => /\.r(\d+)\./.exec(eventId)?.[1]);
      const onePerRound = new Set(rounds).size === seen.length && seen.length === job.round;
      if (onePerRound && seen.includes(job.notification.eventId ?? '')) notificationsExactlyOnce += 1;
      else violations.push(violation(Kind.Notification, key, `webhook ${webhook} saw event ids [${seen.join(', ')}], expected one per round ending with ${job.notification.eventId}`));
    }
  }

  for (const job of final.jobs) {
    if (!expectedPairs.has(pairKey(job.source.imageId, job.destination.region))) violations.push(violation(Kind.Unexpected, pairKey(job.source.imageId, job.destination.region), `job ${job.id} nobody asked for`));
  }
  for (const [key, copies] of copiesByPair) {
    if (!expectedPairs.has(key)) {
      duplicateCopies += copies.length;
      violations.push(violation(Kind.DuplicateCopy, key, `${copies.length} copies nobody asked for`));
    }
  }
  for (const stranger of observed.strangers ?? []) {
    if (!stranger.exists) violations.push(violation(Kind.Stranger, stranger.imageId, "somebody else's image was deleted"));
    const ours = Object.keys(stranger.tags).filter((tag) => tag.startsWith('image-replicator'));
    if (ours.length > 0) violations.push(violation(Kind.Stranger, stranger.imageId, `somebody else's image was tagged as ours (${ours.join(', ')})`));
  }
  for (const [name, receiver] of Object.entries(observed.receivers)) {
    if (receiver.rejected > 0) violations.push(violation(Kind.Notification, name, `refused ${receiver.rejected} posts with a bad signature or timestamp`));
  }
  const { snapshot } = observed;
  if (snapshot.inFlightJobs > 0 || snapshot.queued.startCopy > 0 || snapshot.queued.notify > 0) {
    violations.push(violation(Kind.Stuck, 'runtime', `work left: ${snapshot.inFlightJobs} jobs in flight, ${snapshot.queued.startCopy} start-copy and ${snapshot.queued.notify} notify messages`));
  }
  const expectedDeadLetters = observed.expectedDeadLetters ?? 0;
  if (snapshot.deadLetters < expectedDeadLetters) violations.push(violation(Kind.DeadLetters, 'runtime', `${snapshot.deadLetters} messages set aside, expected at least ${expectedDeadLetters}`));
  if (expectedDeadLetters === 0 && snapshot.deadLetters > 0) violations.push(violation(Kind.DeadLetters, 'runtime', `${snapshot.deadLetters} messages were set aside: ${observed.deadLetterSummary ?? 'unknown'}`));

  return {
    violations,
    copiesMade: final.copies.length,
    copiesLive: final.copies.filter((copy) => copy.live).length,
    failedCopiesLeft,
    duplicateCopies,
    notificationsExpected,
    notificationsExactlyOnce,
    notificationPosts: Object.values(observed.receivers).reduce((sum, r) => sum + r.received.length, 0),
    jobsLost,
    jobsStuck,
    wrongOutcomes,
    deadLetters: snapshot.deadLetters,
  };
};
