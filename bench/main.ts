/**
 * `npm run bench`: the product measured against its performance goals, each figure a ratio or a
 * count against a baseline of the same run, or a figure in virtual time (bench/report.ts lists
 * the goals). `npm run bench -- --json` writes one JSON object of numbers on stdout and nothing
 * else; progress goes to stderr. `--only id,id` runs some scenarios (for working on one).
 *
 * Exit 1 when a figure could not be measured (a failure to measure is no pass); a missed goal is
 * shown as such and exits 0: the bench is an instrument, the goals are where the product is going.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { type BenchRun, FIGURES, type ScenarioOutcome, formatTable, jsonReport, unmeasured } from './report';
import type { Scenario } from './scenario';
import { callsPerCopyScenario } from './scenarios/calls-per-copy';
import { coldStartScenario } from './scenarios/cold-start';
import { fanOutScenario } from './scenarios/fanout-40x6';
import { pollPassScenario } from './scenarios/poll-pass';
import { progressTableCallsScenario } from './scenarios/progress-table-calls';
import { relayScenario } from './scenarios/relay-1x10';

/**
 * Wall-time figures first, in a fresh process (no heap left by the long virtual runs); the
 * virtual-time scenarios after, where machine load changes how long they take but not what they find.
 */
const SCENARIOS: readonly Scenario[] = [pollPassScenario, coldStartScenario, progressTableCallsScenario, relayScenario, fanOutScenario, callsPerCopyScenario];

const missingProducers = FIGURES.filter((figure) => !SCENARIOS.some((scenario) => scenario.produces.includes(figure.metric)));
if (missingProducers.length > 0) throw new Error(`no scenario makes ${missingProducers.map((f) => f.metric).join(', ')}`);

const parseArgs = (argv: readonly string[]): { json: boolean; only: string[] | undefined } => {
  let json = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--only') only = (argv[++i] ?? '').split(',').filter((id) => id !== '');
    else if (arg?.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter((id) => id !== '');
    else throw new Error(`unknown argument ${arg}; usage: npm run bench [-- --json] [--only ${SCENARIOS.map((s) => s.id).join(',')}]`);
  }
  const unknown = (only ?? []).filter((id) => !SCENARIOS.some((scenario) => scenario.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return { json, only };
};

const commit = (): string => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};

const runScenario = async (scenario: Scenario, progress: (line: string) => void): Promise<ScenarioOutcome> => {
  const started = performance.now();
  const base = { id: scenario.id, title: scenario.title, produces: scenario.produces };
  try {
    const measured = await scenario.run(progress);
    const wallMs = performance.now() - started;
    progress(`${scenario.id}: done in ${(wallMs / 1000).toFixed(1)} s`);
    return { ...base, wallMs, measured };
  } catch (error) {
    const wallMs = performance.now() - started;
    progress(`${scenario.id}: FAILED after ${(wallMs / 1000).toFixed(1)} s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ...base, wallMs, error: error instanceof Error ? error.message : String(error) };
  }
};

const main = async (): Promise<void> => {
  const { json, only } = parseArgs(process.argv.slice(2));
  const stdout = process.stdout.write.bind(process.stdout);
  // In --json mode stdout carries the one object: anything else printing there (a library's
  // console.log) is sent to stderr instead of corrupting it.
  if (json) {
    console.log = console.error;
    console.info = console.error;
  }
  const progress = (line: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
  const context = `image-replicator bench at ${commit()}, ${new Date().toISOString()}, node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at start`;
  progress(context);
  const started = performance.now();
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of SCENARIOS.filter((s) => only === undefined || only.includes(s.id))) {
    progress(`${scenario.id}: ${scenario.title}`);
    outcomes.push(await runScenario(scenario, progress));
  }
  const run: BenchRun = { outcomes, wallMs: performance.now() - started };
  if (json) {
    for (const outcome of outcomes) for (const detail of outcome.measured?.details ?? []) progress(`${outcome.id}: ${detail}`);
    stdout(`${JSON.stringify(jsonReport(run))}\n`);
  } else {
    stdout(`${formatTable(run, context)}\n`);
  }
  const missing = unmeasured(run);
  if (missing.length > 0) {
    progress(`not measured: ${missing.join(', ')}`);
    process.exitCode = 1;
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
