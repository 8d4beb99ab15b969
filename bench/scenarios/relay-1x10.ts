import { CopyTaskStatus } from '../../sim/model';
import type { Scenario } from '../scenario';
import { hours } from '../scenario';
import { makespanSeconds, runVirtual, type VirtualRunResult } from '../virtual/virtual-run';
import { creationSeconds } from '../world/draws';
import { DESTINATIONS_10 } from '../world/regions';

/** One image, as large as a typical golden image with its data disk. */
const SIZE_GIB = 100;

/** Who copied from whom, in the order the copies finished: shows the relay tree the product chose. */
const route = (run: VirtualRunResult): string =>
  run.tasks
    .filter((task) => task.status === CopyTaskStatus.Succeeded)
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))
    .map((task) => `${task.sourceRegion}→${task.destinationRegion}`)
    .join(', ');

/**
 * Relay against serial: the same image to ten regions over links of different speeds, once with
 * the policy's default `relay: true` (copies may be made from finished copies) and once with
 * `relay: false` (every copy from the source, one at a time: the provider runs one copy of an
 * image at once). Both in the same run, so the ratio is all that matters.
 */
export const relayScenario: Scenario = {
  id: 'relay-1x10',
  title: `relay vs serial, 1 image (${SIZE_GIB} GiB) cn-hangzhou → 10 regions`,
  produces: ['relay_1x10_ratio'],
  async run(progress) {
    const images = [{ name: 'golden-relay', sizeGiB: SIZE_GIB, creationSeconds: creationSeconds(SIZE_GIB) }];
    progress('relay: serial baseline (relay: false)');
    const serial = await runVirtual({ name: 'relay-1x10 serial', destinations: DESTINATIONS_10, relay: false, images, maxSteps: 5_000 });
    progress('relay: with relay (relay: true)');
    const relayed = await runVirtual({ name: 'relay-1x10 relay', destinations: DESTINATIONS_10, relay: true, images, maxSteps: 5_000 });
    const [serialSeconds, relaySeconds] = [makespanSeconds(serial), makespanSeconds(relayed)];
    return {
      metrics: { relay_1x10_ratio: relaySeconds / serialSeconds, relay_1x10_relay_makespan_s: relaySeconds, relay_1x10_serial_makespan_s: serialSeconds },
      details: [
        `makespan with relay ${hours(relaySeconds)}, serial ${hours(serialSeconds)} (virtual; until the last copy is Available at the provider)`,
        `relay route: ${route(relayed)}`,
      ],
    };
  },
};
