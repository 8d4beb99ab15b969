import { JobStatus } from '../../../shared/core/domain/job';
import { ProviderId } from '../../../shared/core/domain/provider';
import type { FaultKind } from '../../../sim/faults';
import { ScenarioGroup, type ScenarioSpec } from '../scenario';
import { CHAOS_RETRY, type World } from '../world';
import { TWO_GOLDEN } from './faults';

const GOLDEN_A = [{ name: 'golden-a', sizeGiB: 20, role: 'golden' }] as const;

const notified = (world: World): string[] => world.receivers.ops.received.map((n) => String(n.body.type));

/** A copy that outlives its policy's timeout is stopped where the provider can, recorded timed out, and notified. */
export const copyTimeout = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: 'timeout → cancel',
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [{ name: 'big-a', sizeGiB: 400, role: 'big' }],
  bigCopyTimeout: '10m',
  expect: { big: { outcome: JobStatus.TimedOut } },
  verify: (world) => {
    const problems: string[] = [];
    const cancels = world.cloud.requestCounts().CancelCopyImage ?? 0;
    if (provider === ProviderId.Alibaba && cancels !== 1) problems.push(`expected one CancelCopyImage, saw ${cancels}`);
    if (!notified(world).includes('replication.timed_out')) problems.push(`the webhook saw ${notified(world).join(', ')}, not replication.timed_out`);
    return problems;
  },
});

/** A failed copy is deleted, then tried again after the back-off; the failed one is never counted as the job's. */
export const retryAfterFailedCopy = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: 'failed copy → cleanup → retry',
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [...GOLDEN_A],
  maxConcurrentCopiesPerRegion: 1,
  prepare: (world) => world.cloud.failNextCopies(1),
  expect: { golden: { outcome: JobStatus.Available } },
  verify: async (world) => {
    const problems: string[] = [];
    const log = world.cloud.recentRequests();
    const copies = log.map((r, i) => [r, i] as const).filter(([r]) => r.action === world.cloud.copyAction && r.status < 300);
    const deleted = log.findIndex((r) => r.action === world.cloud.deleteAction && r.status < 300);
    const retried = copies[1]?.[1] ?? -1;
    if (retried < 0) problems.push('the failed copy was never tried again');
    if (deleted < 0 || deleted > retried) problems.push('the failed copy was not deleted before the retry');
    const retriedJob = (await world.runtime.jobs.list()).find((job) => job.attempt === 2);
    if (retriedJob?.status !== JobStatus.Available) problems.push('no job finished available on its second attempt');
    return problems;
  },
});

/** Every attempt fails: the job fails after its attempts, leaves nothing behind, and says so once. */
export const permanentFailure = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: 'copies always fail → failed, cleaned',
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [...GOLDEN_A],
  maxAttempts: 2,
  prepare: (world) => world.cloud.faults.configure({ copyFailureProbability: 1 }),
  // Judged by what the simulator did: every copy failed, on both attempts.
  expect: { golden: { outcome: 'available-unless-exhausted' } },
  verify: async (world) => {
    const jobs = await world.runtime.jobs.list();
    const problems = jobs.filter((job) => job.status !== JobStatus.Failed || job.attempt !== 2).map((job) => `${job.id} ended ${job.status} on attempt ${job.attempt}, expected failed on 2`);
    const types = world.receivers.audit.received.map((n) => n.body.type);
    if (types.some((type) => type !== 'replication.failed')) problems.push(`unexpected notification types ${types.join(', ')}`);
    return problems;
  },
});

/** Throttling on every copy call for a while: dispatch slows down and waits, no job fails. */
export const throttling = (provider: ProviderId, seed: number): ScenarioSpec => {
  let throttledCalls = 0;
  let copyCalls = 0;
  let passes = 0;
  return {
    name: 'throttled copy calls → slower, not failed',
    group: ScenarioGroup.Policy,
    provider,
    seed,
    images: [...TWO_GOLDEN],
    prepare: (world) => world.cloud.faults.setActionRates(world.cloud.copyAction, { throttle: 1 }),
    onMinute: (world, minute) => {
      if (minute !== 8) return;
      world.cloud.faults.setActionRates(world.cloud.copyAction, {});
      throttledCalls = world.cloud.faults.counts().throttle;
      const calls = world.crash.reached.filter((p) => p.fn === 'start-copy' && p.label === `${provider}.startCopy · before`);
      copyCalls = calls.length;
      passes = new Set(calls.map((p) => p.invocation)).size;
    },
    expect: { golden: { outcome: JobStatus.Available } },
    verify: () => {
      // While throttled, a dispatch pass stops at its first refusal: one copy call per pass that
      // tried, instead of one per queued job (an invocation runs a pass per input of its batch, and
      // the opening requests may share one). The client's own retry sends each call at most twice.
      const perPass = copyCalls / Math.max(1, passes);
      const problems: string[] = [];
      if (throttledCalls < 4) problems.push(`only ${throttledCalls} throttled answers: the scenario did not throttle`);
      if (perPass > 1.5) problems.push(`${perPass.toFixed(1)} throttled copy calls per dispatch pass: the dispatcher kept hammering`);
      if (throttledCalls > copyCalls * CHAOS_RETRY.maxAttempts) problems.push(`${throttledCalls} throttled answers to ${copyCalls} copy calls: the client kept retrying`);
      return problems;
    },
  };
};

/** The copy call ran but its answer was lost (reset, or never sent): the copy is found again, never made twice. */
export const lostCopyAnswer = (provider: ProviderId, seed: number, kind: typeof FaultKind.LostAnswer | typeof FaultKind.NoAnswer): ScenarioSpec => ({
  name: kind === 'lostAnswer' ? 'copy answer lost (reset)' : 'copy answer never sent (client timeout)',
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [...GOLDEN_A],
  prepare: (world) => world.cloud.faults.injectNext(world.cloud.copyAction, kind, 1),
  expect: { golden: { outcome: JobStatus.Available } },
  verify: (world) => {
    const calls = world.cloud.recentRequests().filter((r) => r.action === world.cloud.copyAction && r.status < 300);
    if (provider === ProviderId.Huawei) {
      // No token on IMS: the retry must look first and find the copy, so one submission per destination.
      return calls.length === 3 ? [] : [`expected 3 cross-region copy submissions (one per destination), saw ${calls.length}`];
    }
    const tokens = calls.map((r) => r.params.ClientToken ?? '');
    const repeated = tokens.filter((token, index) => tokens.indexOf(token) !== index);
    return repeated.length >= 1 ? [] : [`expected CopyImage to be repeated with its ClientToken, tokens were ${tokens.join(', ')}`];
  },
});

/** The copy call answers 5xx (past the client's own retries): the outcome is unknown, never a failure. */
export const copyServerError = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: 'copy call answers 5xx → looked for, then available',
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [...GOLDEN_A],
  // ECS's SDK tries twice here: both must fail for the provider to see it.
  prepare: (world) => world.cloud.faults.injectNext(world.cloud.copyAction, 'internalError', provider === ProviderId.Alibaba ? 2 : 1),
  expect: { golden: { outcome: JobStatus.Available } },
  verify: (world) => (world.cloud.faults.counts().internalError > 0 ? [] : ['the copy call never met its 5xx']),
});

/**
 * Somebody else's image already has the copy's name in one destination. ECS refuses a second
 * image of that name, so that one job fails (it says why); IMS allows it, so the job makes its own
 * copy. Either way the stranger is never adopted, tagged or deleted.
 */
export const strangerWithOurName = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: "somebody else's image has the copy's name",
  group: ScenarioGroup.Policy,
  provider,
  seed,
  images: [...GOLDEN_A],
  prepare: (world) => {
    world.strangers.push(world.cloud.addStranger(world.cloud.goldenDestinations[0] ?? '', 'golden-a'));
  },
  expect: { golden: { outcome: JobStatus.Available } },
  expectPair: (world, _image, region) =>
    provider === ProviderId.Alibaba && region === world.cloud.goldenDestinations[0] ? { outcome: JobStatus.Failed } : undefined,
});

/**
 * Regression (fixed in e632f72): poll-status dies after cancelling a timed-out copy and before
 * recording the timeout. The next poll finds no copy; it used to record `failed: CopyVanished`.
 */
export const crashAfterTimeoutCancel = (provider: ProviderId, seed: number): ScenarioSpec => ({
  ...copyTimeout(provider, seed),
  name: 'timeout, crash after the cancel → still timed out',
  group: ScenarioGroup.Crash,
  patience: 'lenient',
  armed: [{ fn: 'poll-status', label: `${provider}.cancelCopy · after`, nth: 1 }],
  verify: (world) => {
    const types = notified(world);
    return types.every((type) => type === 'replication.timed_out') ? [] : [`the webhook was told ${types.join(', ')}, expected replication.timed_out`];
  },
});

export const policyScenarios = (provider: ProviderId, seed: number): ScenarioSpec[] => [
  copyTimeout(provider, seed),
  retryAfterFailedCopy(provider, seed),
  permanentFailure(provider, seed),
  throttling(provider, seed),
  lostCopyAnswer(provider, seed, 'lostAnswer'),
  lostCopyAnswer(provider, seed, 'noAnswer'),
  copyServerError(provider, seed),
  strangerWithOurName(provider, seed),
];
