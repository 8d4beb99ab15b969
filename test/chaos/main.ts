/**
 * `npm run chaos`: the whole chaos suite, on both clouds, on manual clocks, then the mutants.
 * Exit code 1 when a violation no known product issue explains appears, an armed point is not
 * reached (a harness bug), a mutant survives, or the run falls short of its own bar.
 *
 *   npm run chaos -- [--seed 1] [--fault-scenarios 12] [--duplicate-scenarios 4] [--crash-budget 100]
 *                    [--concurrency 3] [--no-mutants] [--strict] [--only alibaba|huawei]
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ProviderId } from '../../shared/core/domain/provider';
import { awaitPointOf, type CrashPoint, describeTarget } from './crash-harness';
import { KNOWN_ISSUES, triage } from './known-issues';
import { renderMutants, mutantShortfalls } from './mutants/report';
import { runMutants } from './mutants/run-mutants';
import { renderAwaitPoints, renderTable, totalsOf } from './report';
import { runScenario } from './run-scenario';
import type { ScenarioOutcome, ScenarioSpec } from './scenario';
import { CRASH_MENUS, chooseCrashPoints, fixedScenarios, lostStoreAnswers, PROVIDERS, redeliveryRace } from './scenarios';

const MIN_DISRUPTIVE_FAULTS = 1_000;
const MIN_CRASH_POINTS_PER_CLOUD = 60;

const Options = z.object({
  seed: z.coerce.number().int().default(1),
  faultScenarios: z.coerce.number().int().min(0).max(500).default(12),
  duplicateScenarios: z.coerce.number().int().min(0).max(100).default(4),
  crashBudget: z.coerce.number().int().min(0).max(2_000).default(100),
  concurrency: z.coerce.number().int().min(1).max(16).default(3),
  mutants: z.boolean().default(true),
  strict: z.boolean().default(false),
  only: z.enum([ProviderId.Alibaba, ProviderId.Huawei]).optional(),
});
type Options = z.infer<typeof Options>;

const parseOptions = (): Options => {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      'fault-scenarios': { type: 'string' },
      'duplicate-scenarios': { type: 'string' },
      'crash-budget': { type: 'string' },
      concurrency: { type: 'string' },
      'no-mutants': { type: 'boolean' },
      strict: { type: 'boolean' },
      only: { type: 'string' },
    },
  });
  return Options.parse({
    seed: values.seed,
    faultScenarios: values['fault-scenarios'],
    duplicateScenarios: values['duplicate-scenarios'],
    crashBudget: values['crash-budget'],
    concurrency: values.concurrency,
    mutants: values['no-mutants'] !== true,
    strict: values.strict === true,
    only: values.only,
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
      const { open, known } = triage(outcome);
      process.stderr.write(outcome.unreached.length > 0 ? 'H' : open.length > 0 ? 'F' : known.length > 0 ? 'k' : '.');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  process.stderr.write('\n');
  return outcomes;
};

/** The crash menus' clean runs, then a crash (and a lost store answer) armed at their points. */
const crashPlan = async (provider: ProviderId, options: Options): Promise<{ clean: ScenarioOutcome[]; specs: ScenarioSpec[] }> => {
  const clean: ScenarioOutcome[] = [];
  const specs: ScenarioSpec[] = [];
  for (const [menu, share] of CRASH_MENUS) {
    const run = await runScenario(menu(provider, options.seed));
    clean.push(run);
    for (const target of chooseCrashPoints(run.reached, Math.round(options.crashBudget * share), options.seed)) specs.push(menu(provider, options.seed, [target]));
    for (const target of lostStoreAnswers(run.reached)) specs.push(menu(provider, options.seed, [target]));
  }
  return { clean, specs };
};

const main = async (): Promise<number> => {
  const options = parseOptions();
  const started = Date.now();
  const providers = PROVIDERS.filter((p) => options.only === undefined || p === options.only);

  const cleanRuns: ScenarioOutcome[] = [];
  const specs: ScenarioSpec[] = [];
  for (const provider of providers) {
    const plan = await crashPlan(provider, options);
    cleanRuns.push(...plan.clean);
    specs.push(...plan.specs, ...fixedScenarios(provider, options.seed, { faults: options.faultScenarios, duplicates: options.duplicateScenarios }));
    // IMS has no token: a dispatcher that already looked, stalled past the lease, must not submit a second copy.
    if (provider === ProviderId.Huawei) {
      specs.push(redeliveryRace(provider, options.seed, { fn: 'start-copy', label: 'huawei.http POST /v1/cloudimages/{id}/cross_region_copy · before', nth: 1 }));
    }
  }
  const menus = cleanRuns.map((run) => `${run.provider} ${run.name}: ${run.reached.length}`).join(', ');
  console.log(`chaos: seed ${options.seed}; crash points of the clean runs (${menus}); running ${specs.length} scenarios`);
  const outcomes = [...cleanRuns, ...(await runAll(specs, options.concurrency))];
  const mutants = options.mutants ? await runMutants({ seed: options.seed, concurrency: 2 }) : [];

  console.log(`\n${renderTable(outcomes)}\n`);
  const shortfalls: string[] = [];
  for (const provider of providers) {
    const mine = outcomes.filter((o) => o.provider === provider);
    const crashed: CrashPoint[] = mine.flatMap((o) => o.crashes);
    const menuPoints = new Set(cleanRuns.filter((r) => r.provider === provider).flatMap((run) => run.reached.map(awaitPointOf)));
    const untested = [...menuPoints].filter((key) => !crashed.some((p) => awaitPointOf(p) === key));
    console.log(`${provider}: await points of the crash menus (every port call a handler awaits; "crashed" = a process death was injected there and recovered from):`);
    console.log(`${renderAwaitPoints(mine.filter((o) => o.group === 'crash').flatMap((o) => o.reached), crashed)}\n`);
    if (crashed.length < MIN_CRASH_POINTS_PER_CLOUD) shortfalls.push(`${provider}: only ${crashed.length} crash points hit, need ${MIN_CRASH_POINTS_PER_CLOUD}`);
    if (untested.length > 0) shortfalls.push(`${provider}: await points never crashed: ${untested.join('; ')}`);
  }
  if (mutants.length > 0) console.log(`${renderMutants(mutants)}\n`);

  const totals = totalsOf(outcomes);
  if (totals.disruptiveFaults < MIN_DISRUPTIVE_FAULTS) shortfalls.push(`only ${totals.disruptiveFaults} faults injected (latency not counted), need ${MIN_DISRUPTIVE_FAULTS}`);
  shortfalls.push(...mutantShortfalls(mutants));

  let failed = 0;
  let unreached = 0;
  const knownSeen = new Map<string, number>();
  for (const outcome of outcomes) {
    const { open, known } = triage(outcome);
    for (const { issue } of known) knownSeen.set(issue.id, (knownSeen.get(issue.id) ?? 0) + 1);
    if (outcome.unreached.length > 0) {
      unreached += outcome.unreached.length;
      console.log(`HARNESS ${outcome.provider} ${outcome.name}: armed but not reached after ${outcome.replays} replays: ${outcome.unreached.map(describeTarget).join('; ')}`);
    }
    if (open.length > 0 || (options.strict && known.length > 0)) {
      failed += 1;
      console.log(`FAILED ${outcome.provider} ${outcome.name} (seed ${outcome.seed})`);
      for (const violation of [...open, ...(options.strict ? known.map((k) => k.violation) : [])].slice(0, 10)) console.log(`  - ${violation}`);
    }
  }
  for (const issue of KNOWN_ISSUES) {
    const seen = knownSeen.get(issue.id) ?? 0;
    console.log(`KNOWN ${issue.id}: ${seen === 0 ? 'did not reproduce this run' : `${seen} violation(s)`} — ${issue.title}`);
  }
  for (const shortfall of shortfalls) console.log(`SHORT: ${shortfall}`);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = failed === 0 && unreached === 0 && shortfalls.length === 0;
  const caught = mutants.filter((m) => m.mutant !== undefined && m.caughtBy.length > 0).length;
  console.log(
    `\n${ok ? 'PASS' : 'FAIL'}: seed ${options.seed}, ${outcomes.length} scenarios, ${totals.disruptiveFaults} faults (+${totals.faults.latency ?? 0} latency), ` +
      `armed points reached ${totals.reached}/${totals.armed} (${totals.crashes} crashes, ${totals.replays} replays), ${totals.duplicateDeliveries} duplicate deliveries; ` +
      `duplicate copies ${totals.duplicateCopies}, wrong outcomes ${totals.wrongOutcomes}, lost jobs ${totals.jobsLost}, stuck jobs ${totals.jobsStuck}; ` +
      `known product issues ${totals.knownViolations}; mutants caught ${caught}/${mutants.length - (mutants.length > 0 ? 1 : 0)}; ${seconds} s`,
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
