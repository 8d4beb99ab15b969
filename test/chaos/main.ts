/**
 * `npm run chaos`: the whole chaos suite on manual clocks. Exit code 1 when any invariant fails
 * or the run falls short of its own bar (faults injected, crash points, await-point coverage).
 *
 *   npm run chaos -- [--seed 1] [--fault-scenarios 25] [--duplicate-scenarios 6] [--crash-budget 150] [--concurrency 3]
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { CrashPoint } from './crash-harness';
import { renderAwaitPoints, renderTable, totalsOf } from './report';
import { runScenario, type ScenarioOutcome, type ScenarioSpec } from './scenario';
import { awaitPointOf, CRASH_MENUS, chooseCrashPoints, crashAfterTimeoutCancel, crashesDuringRecovery, duplicateStorm, mixedFaults, policyScenarios } from './scenarios';

const MIN_DISRUPTIVE_FAULTS = 1_000;
const MIN_CRASH_POINTS = 100;

const Options = z.object({
  seed: z.coerce.number().int().default(1),
  faultScenarios: z.coerce.number().int().min(0).max(500).default(25),
  duplicateScenarios: z.coerce.number().int().min(0).max(100).default(6),
  crashBudget: z.coerce.number().int().min(0).max(2_000).default(150),
  concurrency: z.coerce.number().int().min(1).max(16).default(3),
});

const parseOptions = () => {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      'fault-scenarios': { type: 'string' },
      'duplicate-scenarios': { type: 'string' },
      'crash-budget': { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  return Options.parse({
    seed: values.seed,
    faultScenarios: values['fault-scenarios'],
    duplicateScenarios: values['duplicate-scenarios'],
    crashBudget: values['crash-budget'],
    concurrency: values.concurrency,
  });
};

/** Runs scenarios a few at a time: each has its own world, and much of a run is waiting on loopback sockets. */
const runAll = async (specs: readonly ScenarioSpec[], concurrency: number): Promise<ScenarioOutcome[]> => {
  const outcomes: ScenarioOutcome[] = new Array<ScenarioOutcome>(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next;
      next += 1;
      const spec = specs[index];
      if (spec === undefined) continue;
      const outcome = await runScenario(spec);
      outcomes[index] = outcome;
      process.stderr.write(outcome.violations.length === 0 ? '.' : 'F');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  process.stderr.write('\n');
  return outcomes;
};

const main = async (): Promise<number> => {
  const options = parseOptions();
  const started = Date.now();

  const cleanRuns: ScenarioOutcome[] = [];
  const crashSpecs: ScenarioSpec[] = [];
  for (const [menu, share] of CRASH_MENUS) {
    const clean = await runScenario(menu(options.seed));
    cleanRuns.push(clean);
    for (const point of chooseCrashPoints(clean.reached, Math.round(options.crashBudget * share), options.seed)) {
      crashSpecs.push(menu(options.seed, { fn: point.fn, invocation: point.invocation, point: point.point }, point.label));
    }
  }
  const specs: ScenarioSpec[] = [
    ...policyScenarios(options.seed),
    ...Array.from({ length: options.faultScenarios }, (_, i) => mixedFaults(options.seed + i)),
    ...Array.from({ length: options.duplicateScenarios }, (_, i) => duplicateStorm(options.seed + i)),
    ...crashSpecs,
    ...crashesDuringRecovery(options.seed),
    crashAfterTimeoutCancel(options.seed),
  ];
  const menuSizes = cleanRuns.map((run) => `${run.name}: ${run.reached.length}`).join(', ');
  console.log(`chaos: seed ${options.seed}; crash points reached by the clean runs (${menuSizes}); running ${specs.length} scenarios (${crashSpecs.length} crashes)`);
  const outcomes = [...cleanRuns, ...(await runAll(specs, options.concurrency))];

  const totals = totalsOf(outcomes);
  const crashed: CrashPoint[] = outcomes.flatMap((o) => o.crashes);
  const cleanPoints = new Set(cleanRuns.flatMap((run) => run.reached.map(awaitPointOf)));
  const untested = [...cleanPoints].filter((key) => !crashed.some((p) => awaitPointOf(p) === key));
  const handlers = [...new Set(cleanRuns.flatMap((run) => run.reached.map((p) => p.fn)))];
  const handlersUncrashed = handlers.filter((fn) => !crashed.some((p) => p.fn === fn));

  console.log(`\n${renderTable(outcomes)}\n`);
  console.log('Await points (every port call a handler awaits; "crashed" = a process death was injected there and recovered from):');
  console.log(`${renderAwaitPoints(outcomes.flatMap((o) => o.reached), crashed)}\n`);

  const failures = outcomes.filter((o) => o.violations.length > 0);
  for (const failure of failures) {
    const at = failure.crashedAt === undefined ? '' : `, crashed at ${failure.crashedAt.fn} #${failure.crashedAt.invocation}.${failure.crashedAt.point}`;
    console.log(`FAILED ${failure.name} (seed ${failure.seed}${at})`);
    for (const violation of failure.violations.slice(0, 10)) console.log(`  - ${violation}`);
  }

  const shortfalls = [
    ...(totals.disruptiveFaults < MIN_DISRUPTIVE_FAULTS ? [`only ${totals.disruptiveFaults} faults injected (latency not counted), need ${MIN_DISRUPTIVE_FAULTS}`] : []),
    ...(totals.crashPointsHit < MIN_CRASH_POINTS ? [`only ${totals.crashPointsHit} crash points hit, need ${MIN_CRASH_POINTS}`] : []),
    ...(handlersUncrashed.length > 0 ? [`no crash injected in ${handlersUncrashed.join(', ')}`] : []),
    ...(untested.length > 0 ? [`await points never crashed: ${untested.join('; ')}`] : []),
  ];
  for (const shortfall of shortfalls) console.log(`SHORT: ${shortfall}`);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = failures.length === 0 && shortfalls.length === 0 && totals.duplicateCopies === 0 && totals.jobsLost === 0 && totals.jobsStuck === 0;
  console.log(
    `\n${ok ? 'PASS' : 'FAIL'}: ${outcomes.length} scenarios, ${totals.disruptiveFaults} faults (+${totals.faults.latency ?? 0} latency), ` +
      `${totals.crashPointsHit} crash points in ${handlers.length} handlers (${cleanPoints.size} distinct await points, all crashed: ${untested.length === 0}), ` +
      `${totals.duplicateDeliveries} duplicate deliveries; duplicate copies ${totals.duplicateCopies}, lost jobs ${totals.jobsLost}, stuck jobs ${totals.jobsStuck}; ${seconds} s`,
  );
  return ok ? 0 : 1;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
