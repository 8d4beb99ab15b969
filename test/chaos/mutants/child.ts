/**
 * Runs the sentinel scenarios in whatever tree it is started from (a mutated copy of the source)
 * and prints one JSON line: per sentinel, the violations no known issue explains. Started by
 * run-mutants.ts through node_modules/.bin/tsx; not a test by itself.
 */
import { parseArgs } from 'node:util';
import { triage } from '../known-issues';
import { runScenario } from '../run-scenario';
import { CHILD_RESULT_PREFIX, type SentinelVerdict } from './protocol';
import { SENTINELS } from './sentinels';

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, sentinels: { type: 'string' } } });
  const seed = Number(values.seed ?? '1');
  const names = values.sentinels === undefined ? Object.keys(SENTINELS) : values.sentinels.split(',');
  const verdicts: SentinelVerdict[] = new Array<SentinelVerdict>(names.length);
  let next = 0;
  // Two at a time: most of a scenario is waiting on loopback sockets.
  const worker = async () => {
    while (next < names.length) {
      const index = next;
      next += 1;
      const name = names[index] ?? '';
      const spec = SENTINELS[name]?.(seed);
      if (spec === undefined) continue;
      const outcome = await runScenario(spec);
      verdicts[index] = { sentinel: name, open: triage(outcome).open, unreached: outcome.unreached.length, wallMs: outcome.wallMs };
    }
  };
  await Promise.all([worker(), worker()]);
  process.stdout.write(`${CHILD_RESULT_PREFIX}${JSON.stringify(verdicts)}\n`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
