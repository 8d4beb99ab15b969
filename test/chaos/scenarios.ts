import { JobStatus } from '../../shared/core/domain/job';
import { Prng } from '../../sim/prng';
import type { CrashPoint, CrashTarget } from './crash-harness';
import { describeTarget, ScenarioGroup, type ScenarioSpec } from './scenario';
import type { World } from './world';

const TWO_GOLDEN = [
  { name: 'golden-a', sizeGiB: 20, role: 'golden' },
  { name: 'golden-b', sizeGiB: 40, role: 'golden' },
] as const;

/** Every kind of API fault at once, with duplicated and delayed queue messages and flaky webhooks. */
export const mixedFaults = (seed: number): ScenarioSpec => ({
  name: `mixed faults s${seed}`,
  group: ScenarioGroup.Faults,
  seed,
  images: [...TWO_GOLDEN, { name: 'big-a', sizeGiB: 200, role: 'big' }],
  bigCopyTimeout: '1h',
  imageEvents: 2,
  sweeps: 1,
  finalSweep: true,
  ecsFaults: {
    actions: {
      '*': { throttle: 0.2, internalError: 0.08, serviceUnavailable: 0.08, lostAnswer: 0.06, noAnswer: 0.02, latencyMs: 1 },
      CopyImage: { throttle: 0.2, internalError: 0.05, lostAnswer: 0.15, noAnswer: 0.05, latencyMs: 1 },
    },
    copyFailureProbability: 0.25,
  },
  delivery: { duplicateMessages: true, maxDelaySeconds: 90, webhookFailure: 0.2 },
  // A copy may fail on every attempt: then the job fails, cleanly, and says so once.
  expect: { golden: 'terminal', big: 'terminal' },
});

/** Everything delivered two or three times, out of order, from concurrent invocations. */
export const duplicateStorm = (seed: number): ScenarioSpec => ({
  name: `duplicates s${seed}`,
  group: ScenarioGroup.Duplicates,
  seed,
  images: [...TWO_GOLDEN],
  imageEvents: 3,
  sweeps: 2,
  requests: 2,
  concurrentStart: true,
  concurrentPolls: true,
  delivery: { duplicateMessages: true, maxDelaySeconds: 120, webhookFailure: 0.1 },
  expect: { golden: JobStatus.Available },
});

const tokensOf = (world: World, action: string): string[] =>
  world.simulator.requests.recent(action).filter((r) => r.status === 200).map((r) => r.params.ClientToken ?? r.params.ImageId ?? '');

/** A copy that outlives its policy's timeout is cancelled, recorded timed out, and notified. */
export const copyTimeout = (seed: number): ScenarioSpec => ({
  name: 'timeout → CancelCopyImage',
  group: ScenarioGroup.Policy,
  seed,
  images: [{ name: 'big-a', sizeGiB: 400, role: 'big' }],
  bigCopyTimeout: '10m',
  expect: { golden: JobStatus.Available, big: JobStatus.TimedOut },
  verify: (world) => {
    const problems: string[] = [];
    if (tokensOf(world, 'CancelCopyImage').length !== 1) problems.push(`expected one CancelCopyImage, saw ${world.simulator.requests.count('CancelCopyImage')}`);
    const types = world.receivers.ops.received.map((n) => n.body.type);
    if (!types.includes('replication.timed_out')) problems.push(`the webhook saw ${types.join(', ')}, not replication.timed_out`);
    return problems;
  },
});

/** A failed copy is deleted, then tried again after the back-off, with a new token. */
export const retryAfterFailedCopy = (seed: number): ScenarioSpec => ({
  name: 'failed copy → cleanup → retry',
  group: ScenarioGroup.Policy,
  seed,
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  maxConcurrentCopiesPerRegion: 1,
  prepare: (world) => world.simulator.faults.injectNext('CopyImage', 'copyFailure', 1),
  expect: { golden: JobStatus.Available },
  verify: async (world) => {
    const problems: string[] = [];
    const log = world.simulator.requests.recent();
    const firstCopy = log.findIndex((r) => r.action === 'CopyImage' && r.status === 200);
    const failedToken = log[firstCopy]?.params.ClientToken ?? '';
    const retryToken = failedToken.replace(/-a1$/, '-a2');
    const deleted = log.findIndex((r) => r.action === 'DeleteImage' && r.status === 200);
    const retried = log.findIndex((r) => r.action === 'CopyImage' && r.status === 200 && r.params.ClientToken === retryToken);
    if (!failedToken.endsWith('-a1') || retried < 0) problems.push(`no second attempt with token ${retryToken}`);
    if (deleted < 0 || deleted > retried) problems.push('the failed copy was not deleted before the retry');
    const retriedJob = (await world.runtime.jobs.list()).find((job) => job.attempt === 2);
    if (retriedJob?.lastError?.code !== undefined || retriedJob?.status !== JobStatus.Available) problems.push('no job finished available on its second attempt');
    return problems;
  },
});

/** Every attempt fails: the job fails after its attempts, leaves nothing behind, and says so once. */
export const permanentFailure = (seed: number): ScenarioSpec => ({
  name: 'copies always fail → failed, cleaned',
  group: ScenarioGroup.Policy,
  seed,
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  maxAttempts: 2,
  ecsFaults: { copyFailureProbability: 1 },
  expect: { golden: JobStatus.Failed },
  verify: async (world) => {
    const jobs = await world.runtime.jobs.list();
    const problems = jobs.filter((job) => job.attempt !== 2).map((job) => `${job.id} ended on attempt ${job.attempt}, expected 2`);
    const types = world.receivers.audit.received.map((n) => n.body.type);
    if (types.some((type) => type !== 'replication.failed')) problems.push(`unexpected notification types ${types.join(', ')}`);
    return problems;
  },
});

/** Throttling on every CopyImage for a while: dispatch slows down and waits, no job fails. */
export const throttling = (seed: number): ScenarioSpec => ({
  name: 'throttled CopyImage → slower, not failed',
  group: ScenarioGroup.Policy,
  seed,
  images: [...TWO_GOLDEN],
  prepare: (world) => world.simulator.faults.setActionRates('CopyImage', { throttle: 1 }),
  onMinute: (world, minute) => {
    if (minute === 8) world.simulator.faults.setActionRates('CopyImage', {});
  },
  expect: { golden: JobStatus.Available },
  verify: (world) => {
    const throttled = world.simulator.faults.counts().throttle;
    // While throttled, a dispatch pass stops at its first refusal: at most one CopyImage (and the
    // SDK's one retry) per start-copy invocation, instead of one per queued job.
    const perPass = throttled / Math.max(1, world.simulator.requests.recent('CopyImage').filter((r) => r.retryAttempt === 0 && r.status === 400).length);
    const problems: string[] = [];
    if (throttled < 4) problems.push(`only ${throttled} throttled answers: the scenario did not throttle`);
    if (perPass > 2) problems.push(`${perPass.toFixed(1)} throttled requests per refused dispatch: the dispatcher kept hammering`);
    return problems;
  },
});

/** CopyImage performed but its answer lost (reset, or never sent): recovered by token and tag, never a second copy. */
export const lostCopyAnswer = (seed: number, kind: 'lostAnswer' | 'noAnswer'): ScenarioSpec => ({
  name: kind === 'lostAnswer' ? 'CopyImage answer lost (reset)' : 'CopyImage answer never sent (client timeout)',
  group: ScenarioGroup.Policy,
  seed,
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  prepare: (world) => world.simulator.faults.injectNext('CopyImage', kind, 1),
  expect: { golden: JobStatus.Available },
  verify: (world) => {
    const tokens = tokensOf(world, 'CopyImage');
    const repeated = tokens.filter((token, index) => tokens.indexOf(token) !== index);
    return repeated.length >= 1 ? [] : [`expected CopyImage to be repeated with its ClientToken, tokens were ${tokens.join(', ')}`];
  },
});

/**
 * Regression (fixed in e632f72): poll-status dies after CancelCopyImage and before recording the
 * timeout. The next poll finds no copy; it used to record `failed: CopyVanished` (or copy again
 * while attempts remained) and tell the webhook the wrong outcome.
 */
export const crashAfterTimeoutCancel = (seed: number): ScenarioSpec => ({
  ...copyTimeout(seed),
  name: 'timeout, crash after CancelCopyImage → still timed out',
  group: ScenarioGroup.Crash,
  crash: { fn: 'poll-status', label: 'alibaba.cancelCopy · after', nth: 1 },
  verify: (world) => {
    const types = world.receivers.ops.received.map((n) => n.body.type);
    return types.every((type) => type === 'replication.timed_out') ? [] : [`the webhook was told ${types.join(', ')}, expected replication.timed_out`];
  },
});

export const policyScenarios = (seed: number): ScenarioSpec[] => [
  copyTimeout(seed),
  retryAfterFailedCopy(seed),
  permanentFailure(seed),
  throttling(seed),
  lostCopyAnswer(seed, 'lostAnswer'),
  lostCopyAnswer(seed, 'noAnswer'),
];

/**
 * The clean run whose await points are the crash menu: a source still being built, a copy that
 * fails once (cleanup and retry), a copy that times out (cancel), slot waits and nudges,
 * an event, a queued request and a sweep.
 */
export const crashBase = (seed: number, crash?: CrashTarget, label?: string): ScenarioSpec => ({
  name: crash === undefined ? 'crash base (clean)' : `crash ${describeTarget(crash)} ${label ?? ''}`.trim(),
  group: ScenarioGroup.Crash,
  seed,
  images: [
    { name: 'golden-a', sizeGiB: 20, role: 'golden' },
    { name: 'golden-c', sizeGiB: 10, role: 'golden', availableAtMinute: 3 },
    // Built later, so the scripted copy failure always meets a golden copy, whatever a crash delays.
    { name: 'big-a', sizeGiB: 400, role: 'big', availableAtMinute: 4 },
  ],
  bigCopyTimeout: '10m',
  sweeps: 1,
  requests: 1,
  crash,
  prepare: (world) => world.simulator.faults.injectNext('CopyImage', 'copyFailure', 1),
  onMinute: (world, minute) => {
    if (minute === 3) world.simulator.inspect.setImageStatus(world.imageId('golden-c'), 'Available');
    if (minute === 4) world.simulator.inspect.setImageStatus(world.imageId('big-a'), 'Available');
  },
  expect: { golden: JobStatus.Available, big: JobStatus.TimedOut },
});

/**
 * The second crash menu, for the unhappy paths: a CopyImage answer lost (the dispatch is
 * deferred and retried with its token) and a copy that fails with no attempts left (cleanup,
 * failure outcome, failure notification).
 */
export const crashBaseFailures = (seed: number, crash?: CrashTarget, label?: string): ScenarioSpec => ({
  name: crash === undefined ? 'crash base, failures (clean)' : `crash (failures) ${describeTarget(crash)} ${label ?? ''}`.trim(),
  group: ScenarioGroup.Crash,
  seed,
  images: [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }],
  maxAttempts: 1,
  crash,
  prepare: (world) => {
    world.simulator.faults.injectNext('CopyImage', 'lostAnswer', 1);
    world.simulator.faults.injectNext('CopyImage', 'copyFailure', 1);
  },
  expect: { golden: 'terminal' },
  verify: async (world) => {
    const statuses = (await world.runtime.jobs.list()).map((job) => job.status).sort();
    const expected = [JobStatus.Available, JobStatus.Available, JobStatus.Failed];
    return statuses.join() === expected.join() ? [] : [`expected two available and one failed job, got ${statuses.join(', ')}`];
  },
});

/**
 * Two deaths: the dispatcher (after CopyImage: the copy exists; or after the claim: it does not),
 * then the poll that finds the abandoned dispatch by its job tag. Recovery survives its own crash.
 */
export const crashesDuringRecovery = (seed: number): ScenarioSpec[] =>
  ['alibaba.startCopy · after', 'jobs.update→dispatching/none · after'].map((first) => ({
    ...crashBase(seed, { fn: 'start-copy', label: first, nth: 1 }),
    name: `crash start-copy at ${first}, then the poll recovering it`,
    alsoCrash: [{ fn: 'poll-status', label: 'images.listImages(by job tag) · before', nth: 1 }],
  }));

export type CrashMenu = (seed: number, crash?: CrashTarget, label?: string) => ScenarioSpec;

/** The clean runs whose await points are crashed, and the share of the crash budget each gets. */
export const CRASH_MENUS: ReadonlyArray<readonly [CrashMenu, number]> = [
  [crashBase, 2 / 3],
  [crashBaseFailures, 1 / 3],
];

/** The await point a crash point stands for, the same in every run: function and port call. */
export const awaitPointOf = (point: Pick<CrashPoint, 'fn' | 'label'>): string => `${point.fn}: ${point.label}`;

/**
 * Which crash points to try: every distinct await point of every handler at least once (its
 * first occurrence), then a seeded sample of the rest up to `budget`.
 */
export const chooseCrashPoints = (reached: readonly CrashPoint[], budget: number, seed: number): CrashPoint[] => {
  const chosen = new Map<string, CrashPoint>();
  const id = (p: CrashPoint) => `${p.fn}#${p.invocation}.${p.point}`;
  for (const point of reached) {
    const key = awaitPointOf(point);
    if (![...chosen.values()].some((p) => awaitPointOf(p) === key)) chosen.set(id(point), point);
  }
  const rest = reached.filter((p) => !chosen.has(id(p)));
  const random = new Prng(seed);
  while (chosen.size < budget && rest.length > 0) {
    const [point] = rest.splice(Math.floor(random.next() * rest.length), 1);
    if (point !== undefined) chosen.set(id(point), point);
  }
  return [...chosen.values()].sort((a, b) => a.fn.localeCompare(b.fn) || a.invocation - b.invocation || a.point - b.point);
};
