import { parseArgs } from 'node:util';
import { createEcsSimulator } from './ecs-simulator';
import { type SimSeed, loadSeedFile, parseSeed } from './seed';

const USAGE = 'usage: sim [--seed <file.yaml|json>] [--port <n>] [--speed <virtual seconds per second>] [--state <world.json>]';

const positiveNumber = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} must be a non-negative number, got "${raw}". ${USAGE}`);
  return value;
};

/**
 * The standalone simulator: serves until SIGINT or SIGTERM, then closes cleanly. Prints the
 * endpoint in the form IMAGE_REPLICATOR_ECS_ENDPOINT expects.
 */
export const runSimulator = async (
  argv: string[],
  io: { readonly out: (line: string) => void; readonly signals?: NodeJS.EventEmitter } = { out: (line) => console.log(line) },
): Promise<void> => {
  const { values } = parseArgs({
    args: argv,
    options: { seed: { type: 'string' }, port: { type: 'string' }, speed: { type: 'string' }, state: { type: 'string' } },
    strict: true,
  });
  const seed: SimSeed = values.seed === undefined ? parseSeed({}) : await loadSeedFile(values.seed);
  const speed = positiveNumber('--speed', values.speed);
  const simulator = await createEcsSimulator({
    seed: speed === undefined ? seed : { ...seed, speed },
    port: positiveNumber('--port', values.port),
    stateFile: values.state,
  });
  const effectiveSpeed = speed ?? seed.speed;
  io.out(`ECS simulator listening on ${simulator.url} (speed ${effectiveSpeed}x, regions ${seed.regions.map((r) => r.id).join(', ')})`);
  if (values.state !== undefined) {
    io.out(simulator.restoredFrom === undefined ? `World saved to ${values.state} (new)` : `World restored from ${values.state}`);
  }
  io.out(`export IMAGE_REPLICATOR_ECS_ENDPOINT=${simulator.url}`);

  const signals = io.signals ?? process;
  await new Promise<void>((resolve) => {
    const stop = () => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      resolve();
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
  await simulator.close();
  io.out('ECS simulator stopped');
};
