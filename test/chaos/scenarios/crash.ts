import { JobStatus } from '../../../shared/core/domain/job';
import type { ProviderId } from '../../../shared/core/domain/provider';
import { DISPATCH_LEASE_SECONDS } from '../../../shared/core/domain/retry-policy';
import { Prng } from '../../../sim/prng';
import { type ArmedTarget, ArmedAction, awaitPointOf, type CrashPoint, describeTarget, targetOf } from '../crash-harness';
import { ScenarioGroup, type ScenarioSpec } from '../scenario';

/**
 * When the big image is built: after a dispatcher's death at the first turn has been recovered
 * from (the lease, then a poll and a dispatch), so the scripted failure meets a golden copy.
 */
const BIG_AVAILABLE_AT_MINUTE = Math.ceil(DISPATCH_LEASE_SECONDS / 60) + 4;

/**
 * The clean run whose await points are the crash menu: a source still being built, a copy that
 * fails once (cleanup and retry), a copy that times out (cancel), slot waits and nudges, an
 * event, a queued request and a sweep. Lenient clients and no random fault: a replay of the same
 * seed takes the same path, so an armed point is always reached.
 */
export const crashBase = (provider: ProviderId, seed: number, armed?: readonly ArmedTarget[]): ScenarioSpec => ({
  name: armed === undefined ? 'crash base (clean)' : `crash ${armed.map(describeTarget).join(' + ')}`,
  group: armed?.some((target) => target.action !== undefined && target.action !== ArmedAction.Crash) === true ? ScenarioGroup.Store : ScenarioGroup.Crash,
  provider,
  seed,
  patience: 'lenient',
  images: [
    { name: 'golden-a', sizeGiB: 20, role: 'golden' },
    { name: 'golden-c', sizeGiB: 10, role: 'golden', availableAtMinute: 3 },
    // Built later, so the scripted copy failure always meets a golden copy, whatever a crash delays.
    { name: 'big-a', sizeGiB: 400, role: 'big', availableAtMinute: BIG_AVAILABLE_AT_MINUTE },
  ],
  bigCopyTimeout: '10m',
  sweeps: 1,
  requests: 1,
  armed,
  prepare: (world) => world.cloud.failNextCopies(1),
  onMinute: (world, minute) => {
    if (minute === 3) world.cloud.makeAvailable('golden-c');
    if (minute === BIG_AVAILABLE_AT_MINUTE) world.cloud.makeAvailable('big-a');
  },
  expect: { golden: { outcome: 'available-unless-exhausted' }, big: { outcome: JobStatus.TimedOut } },
});

/**
 * The second crash menu, for the unhappy paths: a copy call whose answer is lost (the dispatch is
 * deferred and the copy found again) and, on a later copy, a failure with no attempts left
 * (cleanup, failure outcome, failure notification).
 */
export const crashBaseFailures = (provider: ProviderId, seed: number, armed?: readonly ArmedTarget[]): ScenarioSpec => ({
  name: armed === undefined ? 'crash base, failures (clean)' : `crash (failures) ${armed.map(describeTarget).join(' + ')}`,
  group: armed?.some((target) => target.action !== undefined && target.action !== ArmedAction.Crash) === true ? ScenarioGroup.Store : ScenarioGroup.Crash,
  provider,
  seed,
  patience: 'lenient',
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  maxAttempts: 1,
  armed,
  prepare: (world) => world.cloud.faults.injectNext(world.cloud.copyAction, 'lostAnswer', 1),
  onMinute: (world, minute) => {
    // After the first copy was accepted: the failure meets another destination's copy.
    if (minute === 1) world.cloud.failNextCopies(1);
  },
  // The destination whose copy the simulator failed may fail; the two others must not.
  expect: { golden: { outcome: 'available-unless-exhausted' } },
  verify: (world) => {
    const { lostAnswer, copyFailure } = world.cloud.faults.counts();
    return lostAnswer === 1 && copyFailure === 1 ? [] : [`expected one lost answer and one failed copy, saw ${lostAnswer} and ${copyFailure}`];
  },
});

/**
 * Two deaths: the dispatcher (after the copy call: the copy exists; or after the claim: it does
 * not), then the poll that looks for the abandoned dispatch's copy. Recovery survives its own crash.
 */
export const crashesDuringRecovery = (provider: ProviderId, seed: number): ScenarioSpec[] =>
  [`${provider}.startCopy · after`, 'jobs.update→dispatching/none · after'].map((first) => ({
    ...crashBase(provider, seed, [
      { fn: 'start-copy', label: first, nth: 1 },
      { fn: 'poll-status', label: `${provider}.findCopy · before`, nth: 1 },
    ]),
    name: `crash start-copy at ${first}, then the poll recovering it`,
  }));

export type CrashMenu = (provider: ProviderId, seed: number, armed?: readonly ArmedTarget[]) => ScenarioSpec;

/** The clean runs whose await points are crashed, and the share of the crash budget each gets. */
export const CRASH_MENUS: ReadonlyArray<readonly [CrashMenu, number]> = [
  [crashBase, 2 / 3],
  [crashBaseFailures, 1 / 3],
];

const pointId = (p: CrashPoint) => `${p.fn}#${p.invocation}.${p.point}`;

/**
 * Which crash points to try: every distinct await point of every handler at least once (its
 * first occurrence), then a seeded sample of the rest up to `budget`. Each is armed as the nth
 * time its handler reaches its label, which a replay of the clean run reaches again.
 */
export const chooseCrashPoints = (reached: readonly CrashPoint[], budget: number, seed: number): ArmedTarget[] => {
  const chosen = new Map<string, CrashPoint>();
  const seen = new Set<string>();
  for (const point of reached) {
    if (seen.has(awaitPointOf(point))) continue;
    seen.add(awaitPointOf(point));
    chosen.set(pointId(point), point);
  }
  const rest = reached.filter((p) => !chosen.has(pointId(p)));
  const random = new Prng(seed);
  while (chosen.size < budget && rest.length > 0) {
    const [point] = rest.splice(Math.floor(random.next() * rest.length), 1);
    if (point !== undefined) chosen.set(pointId(point), point);
  }
  return [...chosen.values()]
    .sort((a, b) => a.fn.localeCompare(b.fn) || a.invocation - b.invocation || a.point - b.point)
    .map((point) => targetOf(reached, point));
};

const STORE_WRITE = /^jobs\.(update→.*|putIfAbsent) · after$/;

/**
 * Store writes that succeed while their answer is lost to a live caller: every distinct write of
 * every handler, the first time it happens. Half are told "timeout", half "version conflict" (what
 * a client that retried its lost write on its own would say); a create can only time out.
 */
export const lostStoreAnswers = (reached: readonly CrashPoint[]): ArmedTarget[] => {
  const firsts = new Map<string, CrashPoint>();
  for (const point of reached) if (STORE_WRITE.test(point.label) && !firsts.has(awaitPointOf(point))) firsts.set(awaitPointOf(point), point);
  return [...firsts.values()].map((point, index) => ({
    ...targetOf(reached, point),
    action: index % 2 === 0 || point.label.startsWith('jobs.putIfAbsent') ? ArmedAction.LostAnswer : ArmedAction.ConflictAnswer,
  }));
};
