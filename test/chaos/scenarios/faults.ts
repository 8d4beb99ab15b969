import { JobStatus } from '../../../shared/core/domain/job';
import { ProviderId } from '../../../shared/core/domain/provider';
import { ScenarioGroup, type ScenarioSpec } from '../scenario';

export const TWO_GOLDEN = [
  { name: 'golden-a', sizeGiB: 20, role: 'golden' },
  { name: 'golden-b', sizeGiB: 40, role: 'golden' },
] as const;

/** Scripted copy failures in a mixed-fault run: fewer than any job's attempts, so none may end failed for them. */
const COPY_FAILURES = 2;

/**
 * Every kind of transient API fault at once, with duplicated and delayed queue messages, flaky
 * webhooks and copies that fail part-way: every job must still end available. The one permanent
 * failure is scripted (an image no route can copy), and the closing sweep reopens it, to fail again.
 */
export const mixedFaults = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: `mixed faults s${seed}`,
  group: ScenarioGroup.Faults,
  provider,
  seed,
  images: [...TWO_GOLDEN, { name: 'big-a', sizeGiB: 200, role: 'big' }, { name: 'doomed-a', sizeGiB: 3000, role: 'doomed' }],
  bigCopyTimeout: '1h',
  bigMaxAttempts: 3,
  imageEvents: 2,
  sweeps: 1,
  finalSweep: true,
  apiFaults: {
    any: { throttle: 0.2, internalError: 0.08, serviceUnavailable: 0.08, lostAnswer: 0.06, noAnswer: 0.02, latencyMs: 1 },
    copy: { throttle: 0.2, internalError: 0.05, lostAnswer: 0.15, noAnswer: 0.05, latencyMs: 1 },
  },
  delivery: { duplicateMessages: true, maxDelaySeconds: 90, webhookFailure: 0.2 },
  prepare: (world) => world.cloud.failNextCopies(1),
  onMinute: (world, minute) => {
    // The second failure lands on whichever copy is accepted next, somewhere in the first hour.
    if (minute === 1 + (seed % 40)) world.cloud.failNextCopies(COPY_FAILURES - 1);
  },
  expect: {
    golden: { outcome: 'available-unless-exhausted' },
    big: { outcome: 'available-unless-exhausted' },
    doomed: { outcome: JobStatus.Failed, reopened: JobStatus.Failed },
  },
  // ECS takes a 3,000 GiB image through the snapshot route, which at the world's 200 MiB/s needs
  // over four hours: the copy is cancelled at its two-hour timeout, in each round.
  expectPair: (world, image) => (world.cloud.provider === ProviderId.Alibaba && image.startsWith('doomed') ? { outcome: JobStatus.TimedOut, reopened: JobStatus.TimedOut } : undefined),
});

/** Everything delivered two or three times, out of order, from concurrent invocations. */
export const duplicateStorm = (provider: ProviderId, seed: number): ScenarioSpec => ({
  name: `duplicates s${seed}`,
  group: ScenarioGroup.Duplicates,
  provider,
  seed,
  images: [...TWO_GOLDEN],
  imageEvents: 3,
  sweeps: 2,
  requests: 2,
  concurrentStart: true,
  concurrentPolls: true,
  delivery: { duplicateMessages: true, maxDelaySeconds: 120, webhookFailure: 0.1 },
  expect: { golden: { outcome: JobStatus.Available } },
});
