import type { Scenario } from '../scenario';
import { hours } from '../scenario';
import { makespanSeconds, runVirtual, totalRequests } from '../virtual/virtual-run';
import { drawImages } from '../world/draws';
import { DESTINATIONS_6 } from '../world/regions';

const IMAGES = 170;
const SEED = 1000;

/**
 * ECS API calls per completed copy at scale: 170 images × 6 regions (1,020 jobs), all found by
 * one sweep, run to the end in virtual time. Every request that reached the simulator counts
 * (listings, copies, lookups, refusals alike), divided by the copies that ended Available.
 */
export const callsPerCopyScenario: Scenario = {
  id: 'calls-1000',
  title: `ECS calls per copy, ${IMAGES} images × ${DESTINATIONS_6.length} regions (${IMAGES * DESTINATIONS_6.length} jobs)`,
  produces: ['calls_per_copy_1000'],
  async run(progress) {
    progress(`calls: ${IMAGES * DESTINATIONS_6.length} jobs`);
    const images = drawImages(SEED, { count: IMAGES, existing: IMAGES, arrivalWindowSeconds: 0 });
    const run = await runVirtual({ name: 'calls-1000', destinations: DESTINATIONS_6, relay: true, images, maxSteps: 50_000 });
    const requests = totalRequests(run);
    const byAction = Object.entries(run.requests)
      .sort(([, a], [, b]) => b - a)
      .map(([action, count]) => `${action} ${count}`)
      .join(', ');
    return {
      metrics: { calls_per_copy_1000: requests / run.completedCopies, calls_1000_requests: requests, calls_1000_copies: run.completedCopies },
      details: [
        `${requests} ECS requests for ${run.completedCopies} copies: ${byAction}`,
        `makespan ${hours(makespanSeconds(run))} virtual, ${run.steps} steps, ${(run.wallMs / 1000).toFixed(1)} s wall`,
      ],
    };
  },
};
