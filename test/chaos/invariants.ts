import type { ReceivedNotification } from '../../examples/webhook-receiver';
import type { RuntimeSnapshot } from '../../runtime/local-runtime';
import { type Job, JobStatus, NotificationStatus, isInFlight, isTerminal } from '../../shared/core/domain/job';
import type { CopyCount } from '../../sim/inspection';

/** What a scenario may end in: a given status, or any terminal one (random permanent faults). */
export type ExpectedOutcome = typeof JobStatus.Available | typeof JobStatus.Failed | typeof JobStatus.TimedOut | 'terminal';

/** One requested (source image, destination region), and who must hear about its outcome. */
export interface Expectation {
  readonly sourceImageId: string;
  readonly destinationRegion: string;
  readonly outcome: ExpectedOutcome;
  readonly webhooks: readonly string[];
}

export interface Observation {
  readonly expectations: readonly Expectation[];
  readonly jobs: readonly Job[];
  /** From the simulator: what exists in the destinations, orphans included. */
  readonly copyCounts: readonly CopyCount[];
  readonly receivers: Readonly<Record<string, { readonly received: readonly ReceivedNotification[]; readonly rejected: number }>>;
  readonly snapshot: RuntimeSnapshot;
}

export interface InvariantReport {
  readonly violations: readonly string[];
  /** Copies present in the destinations. */
  readonly copies: number;
  /** One per job that ended available. */
  readonly expectedCopies: number;
  /** Copies beyond the first for one (source, destination). */
  readonly duplicateCopies: number;
  /** Copies left behind by a job that did not end available. */
  readonly leftoverCopies: number;
  readonly notificationsExpected: number;
  /** (webhook, job) pairs whose receiver, deduping by event id, saw exactly the job's one event. */
  readonly notificationsExactlyOnce: number;
  /** Posts that reached a receiver, duplicates included. */
  readonly notificationPosts: number;
  readonly jobsLost: number;
  readonly jobsStuck: number;
  readonly deadLetters: number;
}

const pairKey = (source: string, destination: string) => `${source} → ${destination}`;

/**
 * The promises of the product, checked against the world rather than the product's own records:
 * copies are counted in the simulator, notifications at the receivers.
 */
export const checkInvariants = (observed: Observation): InvariantReport => {
  const violations: string[] = [];
  const copiesByPair = new Map(observed.copyCounts.map((count) => [pairKey(count.sourceImageId, count.destinationRegion), count]));
  const expectedPairs = new Set(observed.expectations.map((e) => pairKey(e.sourceImageId, e.destinationRegion)));
  let expectedCopies = 0;
  let duplicateCopies = 0;
  let leftoverCopies = 0;
  let notificationsExpected = 0;
  let notificationsExactlyOnce = 0;
  let jobsLost = 0;
  let jobsStuck = 0;

  for (const expectation of observed.expectations) {
    const key = pairKey(expectation.sourceImageId, expectation.destinationRegion);
    const count = copiesByPair.get(key);
    const present = count?.copies ?? 0;
    duplicateCopies += Math.max(0, present - 1);
    const job = observed.jobs.find((j) => j.source.imageId === expectation.sourceImageId && j.destination.region === expectation.destinationRegion);
    if (job === undefined) {
      jobsLost += 1;
      violations.push(`${key}: no job was ever recorded (lost)`);
      continue;
    }
    if (!isTerminal(job.status) || isInFlight(job)) {
      jobsStuck += 1;
      violations.push(`${key}: job ${job.id} ended the run in ${job.status} (notification ${job.notification.status})`);
    }
    if (expectation.outcome === 'terminal' ? !isTerminal(job.status) : job.status !== expectation.outcome) {
      violations.push(`${key}: expected ${expectation.outcome}, job is ${job.status} (${job.lastError?.code ?? 'no error'})`);
    }
    if (job.status === JobStatus.Available) {
      expectedCopies += 1;
      if (present !== 1) violations.push(`${key}: ${present} copies in the destination, expected exactly one (${count?.imageIds.join(', ') ?? 'none'})`);
      else if (count?.imageIds[0] !== job.destinationImageId) violations.push(`${key}: the copy ${count?.imageIds[0]} is not the one the job records (${job.destinationImageId})`);
    } else if (present > 0) {
      leftoverCopies += present;
      violations.push(`${key}: job ended ${job.status} but ${present} copies were left behind (${count?.imageIds.join(', ')})`);
    }

    if (job.notification.status !== NotificationStatus.Delivered && isTerminal(job.status)) {
      violations.push(`${key}: notification ${job.notification.status}, expected delivered`);
    }
    for (const webhook of expectation.webhooks) {
      notificationsExpected += 1;
      const seen = [...new Set((observed.receivers[webhook]?.received ?? []).filter((n) => n.body.jobId === job.id).map((n) => n.eventId))];
      // A job the nightly sweep reopened has one outcome per round, each told once.
      const rounds = seen.map((eventId) => /\.r(\d+)\./.exec(eventId)?.[1]);
      const onePerRound = new Set(rounds).size === seen.length && seen.length === job.round;
      if (onePerRound && seen.includes(job.notification.eventId ?? '')) notificationsExactlyOnce += 1;
      else violations.push(`${key}: webhook ${webhook} saw event ids [${seen.join(', ')}], expected one per round ending with ${job.notification.eventId}`);
    }
  }

  for (const job of observed.jobs) {
    if (!expectedPairs.has(pairKey(job.source.imageId, job.destination.region))) violations.push(`unexpected job ${job.id} for ${pairKey(job.source.imageId, job.destination.region)}`);
  }
  for (const count of observed.copyCounts) {
    const key = pairKey(count.sourceImageId, count.destinationRegion);
    if (!expectedPairs.has(key)) {
      duplicateCopies += count.copies;
      violations.push(`${key}: ${count.copies} copies nobody asked for`);
    }
  }
  for (const [name, receiver] of Object.entries(observed.receivers)) {
    if (receiver.rejected > 0) violations.push(`webhook ${name} refused ${receiver.rejected} posts with a bad signature or timestamp`);
  }
  const { snapshot } = observed;
  if (snapshot.inFlightJobs > 0 || snapshot.queued.startCopy > 0 || snapshot.queued.notify > 0) {
    violations.push(`work left after the run: ${snapshot.inFlightJobs} jobs in flight, ${snapshot.queued.startCopy} start-copy and ${snapshot.queued.notify} notify messages`);
  }
  if (snapshot.deadLetters > 0) violations.push(`${snapshot.deadLetters} messages were set aside on the dead-letter queue`);

  return {
    violations,
    copies: observed.copyCounts.reduce((sum, count) => sum + count.copies, 0),
    expectedCopies,
    duplicateCopies,
    leftoverCopies,
    notificationsExpected,
    notificationsExactlyOnce,
    notificationPosts: Object.values(observed.receivers).reduce((sum, r) => sum + r.received.length, 0),
    jobsLost,
    jobsStuck,
    deadLetters: snapshot.deadLetters,
  };
};
