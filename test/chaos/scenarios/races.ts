import { JobStatus } from '../../../shared/core/domain/job';
import type { ProviderId } from '../../../shared/core/domain/provider';
import { DISPATCH_LEASE_SECONDS, START_COPY_TIMEOUT_SECONDS } from '../../../shared/core/domain/retry-policy';
import { LOCAL_VISIBILITY_SECONDS } from '../../../runtime/local-runtime';
import type { CrashTarget } from '../crash-harness';
import { ScenarioGroup, type ScenarioSpec } from '../scenario';
import { TWO_GOLDEN } from './faults';

/** Longer than both the dispatch lease and the queue's visibility timeout, in whole turns. */
const STALL_MINUTES = Math.ceil(Math.max(DISPATCH_LEASE_SECONDS, LOCAL_VISIBILITY_SECONDS) / 60) + 2;
/** FC ends a start-copy invocation at its timeout, wherever it is. */
const START_COPY_LIFE_MINUTES = Math.floor(START_COPY_TIMEOUT_SECONDS / 60);

/**
 * A start-copy invocation stalls in the middle of its dispatch, past the visibility timeout: its
 * message is delivered again to a second invocation while the first still runs. The stall goes on
 * past the dispatch lease, which outlasts the function's timeout, so FC ends the first invocation
 * where it waits before poll-status gives the claim up as abandoned; the job is then dispatched
 * anew. Exactly one copy must come of it.
 */
export const redeliveryRace = (provider: ProviderId, seed: number, stallAt: CrashTarget = { fn: 'start-copy', label: `${provider}.startCopy · before`, nth: 1 }): ScenarioSpec => ({
  name: `redelivered while stalled at ${stallAt.label}`,
  group: ScenarioGroup.Races,
  provider,
  seed,
  // The stall must be reached in every replay: no answer is given up on for lack of time.
  patience: 'lenient',
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  imageEvents: 0,
  requests: 1,
  hold: { target: stallAt, forMinutes: STALL_MINUTES, diesAfterMinutes: stallAt.fn === 'start-copy' ? START_COPY_LIFE_MINUTES : undefined },
  expect: { golden: { outcome: JobStatus.Available } },
  verify: (world) => {
    // The stalled invocation must really have been overtaken: a second one started the copy it was about to start.
    const redelivered = world.crash.reached.filter((p) => p.fn === 'start-copy' && p.label === `${provider}.startCopy · before`);
    const invocations = new Set(redelivered.map((p) => p.invocation));
    return invocations.size >= 2 ? [] : [`only ${invocations.size} start-copy invocation(s) tried the copy: nothing overtook the stalled one`];
  },
});

/** Two poll-status instances whose hosts disagree on the time by this much, each way: more than the dispatch lease. */
export const SKEW_SECONDS = 150;

/**
 * Every minute two poll-status invocations run at once, one clock ahead and one behind. Leases,
 * timeouts, back-offs and the notification requeue are all judged against times the other wrote.
 */
export const skewedPolls = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: `two polls, clocks ±${SKEW_SECONDS} s apart`,
  group: ScenarioGroup.Races,
  provider,
  seed,
  images: [...TWO_GOLDEN, { name: 'big-a', sizeGiB: 400, role: 'big' }],
  bigCopyTimeout: '20m',
  concurrentPolls: true,
  clockSkew: (fn, ordinal) => (fn !== 'poll-status' ? 0 : ordinal % 2 === 0 ? SKEW_SECONDS : -SKEW_SECONDS),
  delivery: { duplicateMessages: true, maxDelaySeconds: 60, webhookFailure: 0.1 },
  prepare: (world) => world.cloud.failNextCopies(1),
  expect: { golden: { outcome: 'available-unless-exhausted' }, big: { outcome: JobStatus.TimedOut } },
});
