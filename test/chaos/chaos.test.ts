import { describe, expect, it } from 'vitest';
import { ProviderId } from '../../shared/core/domain/provider';
import { ArmedAction, type ArmedTarget, awaitPointOf } from './crash-harness';
import { triage } from './known-issues';
import { runScenario } from './run-scenario';
import { crashBase, crashBaseFailures, crashesDuringRecovery, duplicateStorm, mixedFaults, poisonBatch, redeliveryRace, skewedPolls } from './scenarios';

const CLOUDS = [ProviderId.Alibaba, ProviderId.Huawei] as const;

/** How many times each await point is reached in a run: what label-and-occurrence arming relies on. */
const pointCounts = (reached: ReadonlyArray<{ readonly fn: string; readonly label: string }>): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const point of reached) counts[awaitPointOf(point)] = (counts[awaitPointOf(point)] ?? 0) + 1;
  return counts;
};

/**
 * The fast, seeded subset of `npm run chaos`: a few scenarios and a handful of crash points per
 * cloud, chosen where a process death hurts most. The full suite runs hundreds.
 */
describe.each(CLOUDS)('chaos on %s: exactly one copy, nothing lost', (provider) => {
  it('keeps one copy per destination and one notification per outcome under mixed API faults, duplicates and flaky webhooks', async () => {
    // Prepare
    const spec = mixedFaults(provider, 3);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(triage(outcome).open).toEqual([]);
    expect(outcome.faults.throttle! + outcome.faults.lostAnswer! + outcome.faults.internalError!).toBeGreaterThan(10);
    expect(outcome.duplicateDeliveries).toBeGreaterThan(0);
    expect(outcome.duplicateCopies).toBe(0);
    expect(outcome.wrongOutcomes).toBe(0);
  });

  it('converges when every event and message arrives two or three times, out of order, to concurrent invocations', async () => {
    // Prepare
    const spec = duplicateStorm(provider, 2);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copiesMade).toBe(6);
    expect(outcome.notificationsExactlyOnce).toBe(12);
  });

  it('takes the same path twice from the same seed: an armed point is reached by its replay', async () => {
    // Prepare
    const spec = crashBaseFailures(provider, 4);

    // Act: two runs at once, competing for the same two cores
    const [first, second] = await Promise.all([runScenario(spec), runScenario(spec)]);

    // Assess
    expect(pointCounts(second.reached)).toEqual(pointCounts(first.reached));
  });

  const crashes: ReadonlyArray<readonly [string, ArmedTarget]> = [
    ['start-copy dies after the copy call, before recording the copy', { fn: 'start-copy', label: `${provider}.startCopy · after`, nth: 1 }],
    ['start-copy dies after claiming a job, before the copy call', { fn: 'start-copy', label: 'jobs.update→dispatching/none · after', nth: 1 }],
    ['poll-status dies after recording success, before queueing the notification', { fn: 'poll-status', label: 'jobs.update→available/pending · after', nth: 1 }],
    ['poll-status dies after deleting a failed copy, before recording the retry', { fn: 'poll-status', label: `${provider}.deleteCopy · after`, nth: 1 }],
    ['notify dies after the webhook accepted, before recording the delivery', { fn: 'notify', label: 'transport.post · after', nth: 1 }],
    ['poll-status answers a lost write: the job is available, the poller is told it timed out', { fn: 'poll-status', label: 'jobs.update→available/pending · after', nth: 1, action: ArmedAction.LostAnswer }],
    ['start-copy is told its claim conflicted although it was stored', { fn: 'start-copy', label: 'jobs.update→dispatching/none · after', nth: 1, action: ArmedAction.ConflictAnswer }],
  ];

  it.each(crashes)('recovers when %s', async (_, target) => {
    // Prepare
    const spec = crashBase(provider, 5, [target]);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.unreached).toEqual([]);
    expect(outcome.hits.map((hit) => hit.label)).toEqual([target.label]);
    expect(triage(outcome).open).toEqual([]);
  });

  it('recovers when the poll that recovers an abandoned dispatch dies too', async () => {
    // Prepare
    const [spec] = crashesDuringRecovery(provider, 6);

    // Act
    const outcome = await runScenario(spec!);

    // Assess
    expect(outcome.crashes).toHaveLength(2);
    expect(triage(outcome).open).toEqual([]);
  });

  it('makes one copy when a stalled dispatcher is delivered again after the visibility timeout, then ended at its function timeout', async () => {
    // Prepare
    const spec = redeliveryRace(provider, 7);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copiesMade).toBe(3);
  });

  it('keeps its promises when two poll-status invocations disagree on the time', async () => {
    // Prepare
    const spec = skewedPolls(provider, 8);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(triage(outcome).open).toEqual([]);
    expect(outcome.jobsStuck).toBe(0);
  });

  it.each([['down for the whole run', 'always'] as const, ['failing once', 1] as const])(
    'does the good requests of a poison batch and sets every poison message aside, the dead-letter queue %s',
    async (_, failures) => {
      // Prepare
      const spec = poisonBatch(provider, 9, failures);

      // Act
      const outcome = await runScenario(spec);

      // Assess
      expect(outcome.violations).toEqual([]);
      expect(outcome.faults.deadLetterSendFailed).toBeGreaterThan(0);
    },
  );
});
