import { describe, expect, it } from 'vitest';
import type { EcsImages } from '../../shared/providers/alibaba-ecs/ecs-images';
import type { CrashTarget } from './crash-harness';
import { runScenario } from './scenario';
import { crashBase, duplicateStorm, lostCopyAnswer, mixedFaults } from './scenarios';

/**
 * The fast, seeded subset of `npm run chaos`: a few scenarios and a handful of crash points,
 * chosen where a process death hurts most. The full suite runs hundreds.
 */
describe('chaos: exactly one copy, nothing lost', () => {
  it('keeps one copy per destination and one notification per outcome under mixed API faults, duplicates and flaky webhooks', async () => {
    // Prepare
    const spec = mixedFaults(3);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.faults.throttle! + outcome.faults.lostAnswer! + outcome.faults.internalError!).toBeGreaterThan(10);
    expect(outcome.duplicateDeliveries).toBeGreaterThan(0);
    expect(outcome.duplicateCopies).toBe(0);
  });

  it('converges when every event and message arrives two or three times, out of order, to concurrent invocations', async () => {
    // Prepare
    const spec = duplicateStorm(2);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.violations).toEqual([]);
    expect(outcome.copies).toBe(6);
    expect(outcome.notificationsExactlyOnce).toBe(12);
    expect(outcome.duplicateDeliveries).toBeGreaterThan(12);
  });

  const crashes: ReadonlyArray<readonly [string, CrashTarget]> = [
    ['start-copy dies after CopyImage, before recording the copy', { fn: 'start-copy', label: 'alibaba.startCopy · after', nth: 1 }],
    ['start-copy dies after claiming a job, before CopyImage', { fn: 'start-copy', label: 'jobs.update→dispatching/none · after', nth: 1 }],
    ['poll-status dies after recording success, before queueing the notification', { fn: 'poll-status', label: 'jobs.update→available/pending · after', nth: 1 }],
    ['poll-status dies after deleting a failed copy, before recording the retry', { fn: 'poll-status', label: 'alibaba.deleteCopy · after', nth: 1 }],
    ['notify dies after the webhook accepted, before recording the delivery', { fn: 'notify', label: 'transport.post · after', nth: 1 }],
    ['notify dies before reading the job', { fn: 'notify', label: 'jobs.get · before', nth: 2 }],
  ];

  it.each(crashes)('recovers when %s', async (_, target) => {
    // Prepare
    const spec = crashBase(5, target);

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.crashedAt?.label).toBe('label' in target ? target.label : undefined);
    expect(outcome.violations).toEqual([]);
  });

  it('would catch a product that made a new copy on every retry (the invariants are not vacuous)', async () => {
    // Prepare: a product that forgets its ClientToken and its copy name between tries
    let calls = 0;
    const spec = {
      ...lostCopyAnswer(17, 'lostAnswer'),
      tamperEcs: (images: EcsImages): EcsImages => ({
        listImages: (region, query) => images.listImages(region, query),
        cancelCopy: (region, imageId) => images.cancelCopy(region, imageId),
        deleteImage: (region, imageId) => images.deleteImage(region, imageId),
        copyImage: (command) => {
          calls += 1;
          return images.copyImage({ ...command, name: `${command.name}-${calls}`, idempotencyToken: `${command.idempotencyToken}-${calls}` });
        },
      }),
    };

    // Act
    const outcome = await runScenario(spec);

    // Assess
    expect(outcome.duplicateCopies).toBeGreaterThan(0);
    expect(outcome.violations.some((v) => v.includes('copies in the destination, expected exactly one'))).toBe(true);
  });
});
