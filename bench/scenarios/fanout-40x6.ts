import { CopyTaskStatus } from '../../sim/model';
import { fanOutLowerBound } from '../lower-bound';
import { notificationLagsSeconds } from '../notify-lag';
import { type Scenario, hours } from '../scenario';
import { quantile } from '../stats';
import { makespanSeconds, runVirtual } from '../virtual/virtual-run';
import { drawImages } from '../world/draws';
import { COPIES_PER_SOURCE_REGION, DESTINATIONS_6, SOURCE_REGION, copySeconds } from '../world/regions';

const DRAWS = [1, 2, 3, 4, 5];
const IMAGES = 40;
/** Ten images are there when the run starts (the sweep finds them); thirty appear over three hours (events). */
const EXISTING = 10;
const ARRIVAL_WINDOW_SECONDS = 3 * 3600;

/**
 * Fan-out against its lower bound: 40 images × 6 regions, five seeded draws of sizes and creation
 * instants, relay on (the policy default). The figure is the worst draw's makespan ÷ lower bound
 * (bench/lower-bound.ts says which bound and why it holds with relaying). The same runs give the
 * notification lag of all 5 × 240 copies: every copy is notified to a webhook.
 */
export const fanOutScenario: Scenario = {
  id: 'fanout-40x6',
  title: `fan-out ${IMAGES} images × ${DESTINATIONS_6.length} regions, ${DRAWS.length} draws, against the lower bound; notification lag`,
  produces: ['fanout_40x6_ratio_max', 'notify_lag_median_s', 'notify_lag_p90_s'],
  async run(progress) {
    const ratios: number[] = [];
    const lags: number[] = [];
    const details: string[] = [];
    for (const draw of DRAWS) {
      progress(`fan-out: draw ${draw} of ${DRAWS.length}`);
      const images = drawImages(draw, { count: IMAGES, existing: EXISTING, arrivalWindowSeconds: ARRIVAL_WINDOW_SECONDS });
      const run = await runVirtual({ name: `fanout-40x6 draw ${draw}`, destinations: DESTINATIONS_6, relay: true, images, maxSteps: 20_000 });
      const bound = fanOutLowerBound({ images: run.releases, source: SOURCE_REGION, destinations: DESTINATIONS_6, slotsPerRegion: COPIES_PER_SOURCE_REGION, copySeconds });
      const makespan = makespanSeconds(run);
      // Below 1 the bound is wrong (or the simulator broke a limit): no figure rather than a flattering one.
      if (makespan < bound.seconds - 1e-6) throw new Error(`draw ${draw}: makespan ${makespan} s below the lower bound ${bound.seconds} s`);
      ratios.push(makespan / bound.seconds);
      const finished = run.tasks
        .filter((task) => task.status === CopyTaskStatus.Succeeded)
        .map((task) => ({ destinationImageId: task.destinationImageId, finishedAtMs: task.finishedAt ?? Number.NaN }));
      lags.push(...notificationLagsSeconds(finished, run.deliveries));
      const total = images.reduce((sum, image) => sum + image.sizeGiB, 0);
      // Copy-hours spent against the least any schedule spends: how much of the gap is slow links chosen.
      const workSeconds = run.tasks.reduce((sum, task) => sum + ((task.finishedAt ?? 0) - (task.startedAt ?? 0)) / 1000, 0);
      details.push(
        `draw ${draw}: ${total} GiB, makespan ${hours(makespan)}, lower bound ${hours(bound.seconds)} (${bound.binding}), ratio ${(makespan / bound.seconds).toFixed(3)}; ` +
          `copy work ${hours(workSeconds)} against ${hours(bound.cheapestWorkSeconds)} from the fastest sources; ${run.steps} steps, ${(run.wallMs / 1000).toFixed(1)} s wall`,
      );
    }
    details.push(
      `notification lag over ${lags.length} copies: median ${quantile(lags, 0.5).toFixed(1)} s, p90 ${quantile(lags, 0.9).toFixed(1)} s, max ${Math.max(...lags).toFixed(1)} s (copy Available at the provider → webhook receipt, virtual)`,
    );
    return {
      metrics: {
        fanout_40x6_ratio_max: Math.max(...ratios),
        notify_lag_median_s: quantile(lags, 0.5),
        notify_lag_p90_s: quantile(lags, 0.9),
      },
      details,
    };
  },
};
