/**
 * `npm run bundle:measure` (after `npm run build`): each bundle's size, and a cold-start proxy:
 * the wall time of `node -e "require('./index.js')"` in the bundle's folder (FC's working
 * directory), median of several runs after a warm-up, against a bare `node -e ''` measured in the
 * same rounds so machine noise hits both alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePolicyConfig } from '../shared/core/config/load-policy-config';
import { FunctionEnv } from '../shared/platform/fc/function-env';
import { BUNDLED_POLICY_FILE, FUNCTIONS, type FunctionName } from './build';

/** Nothing listens on the discard port; an accidental connection fails instead of reaching anything. */
const NOWHERE = 'http://127.0.0.1:9';

/** `null`: deliberately left unset. */
const FAKE_VALUES: Readonly<Record<string, string | null>> = {
  IMAGE_REPLICATOR_REGION: 'cn-hangzhou',
  IMAGE_REPLICATOR_POLICY_FILE: `./${BUNDLED_POLICY_FILE}`,
  // The bundled file is what FC uses; the inline alternative stays unset.
  IMAGE_REPLICATOR_POLICY: null,
  IMAGE_REPLICATOR_OTS_INSTANCE: 'replicator',
  IMAGE_REPLICATOR_OTS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_TABLE: 'image_replicator_jobs',
  IMAGE_REPLICATOR_START_COPY_QUEUE: 'image-replicator-start-copy',
  IMAGE_REPLICATOR_NOTIFY_QUEUE: 'image-replicator-notify',
  IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: 'image-replicator-dead-letters',
  IMAGE_REPLICATOR_MNS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_ACCOUNT_ID: '1234567890',
  IMAGE_REPLICATOR_ECS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: `${NOWHERE}/{region}`,
  IMAGE_REPLICATOR_LOG_LEVEL: 'error',
};

/**
 * A complete, valid function environment pointing every endpoint at 127.0.0.1, plus a dummy secret
 * for each webhook of the bundled policy, so an entry that reads its environment at module scope
 * loads. Every IMAGE_REPLICATOR_* name comes from the FunctionEnv schema: a new variable without a
 * fake value here fails loudly rather than measuring a load that throws.
 */
export const fakeFunctionEnv = (bundleDir: string): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const name of Object.keys(FunctionEnv.shape)) {
    const value = FAKE_VALUES[name];
    if (value === undefined) throw new Error(`no fake value for ${name}: add one to FAKE_VALUES`);
    if (value !== null) env[name] = value;
  }
  FunctionEnv.parse(env);
  const policy = parsePolicyConfig(readFileSync(join(bundleDir, BUNDLED_POLICY_FILE), 'utf8'), BUNDLED_POLICY_FILE);
  for (const hook of policy.policies.flatMap((p) => p.webhooks)) env[hook.secretEnv] = 'fake-webhook-secret-for-measuring-only';
  return env;
};

/** Prepended to the require: any socket or DNS lookup while loading throws and fails the run. */
export const NO_NETWORK_GUARD =
  "const net=require('node:net'),dns=require('node:dns');" +
  "const refuse=(what)=>function(){throw new Error('network use while loading the bundle: '+what)};" +
  "net.Socket.prototype.connect=refuse('connect');dns.lookup=refuse('dns.lookup');";

export interface RunOutcome {
  readonly ms: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const baseEnv = (): Record<string, string> => {
  const keep: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) keep[name] = value;
  }
  return keep;
};

export const runNode = (code: string, cwd: string, env: Record<string, string>): RunOutcome => {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', code], { cwd, env: { ...baseEnv(), ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** Loads a bundle once, offline, with the fake environment; the outcome says whether it loaded. */
export const loadBundleOffline = (bundleDir: string): RunOutcome =>
  runNode(`${NO_NETWORK_GUARD}require('./index.js');`, bundleDir, fakeFunctionEnv(bundleDir));

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export interface Measurement {
  readonly name: FunctionName | 'node (baseline)';
  readonly bytes: number | undefined;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export const measureBundles = (options: { root?: string; runs?: number; functions?: readonly FunctionName[] } = {}): Measurement[] => {
  const root = resolve(options.root ?? process.cwd());
  const runs = options.runs ?? 9;
  const functions = options.functions ?? FUNCTIONS;
  const targets = functions.map((name) => {
    const dir = join(root, 'dist', name);
    if (!existsSync(join(dir, 'index.js'))) throw new Error(`dist/${name}/index.js is missing: run npm run build first`);
    return { name, dir, env: fakeFunctionEnv(dir), bytes: statSync(join(dir, 'index.js')).size };
  });
  const samples = new Map<string, number[]>([['node (baseline)', []], ...targets.map((t) => [t.name, []] as [string, number[]])]);
  for (let round = 0; round <= runs; round += 1) {
    const baseline = runNode('', root, {});
    const timings = targets.map((target) => {
      const outcome = runNode("require('./index.js')", target.dir, target.env);
      if (outcome.status !== 0) throw new Error(`requiring dist/${target.name}/index.js failed:\n${outcome.stderr.slice(0, 2000)}`);
      return outcome.ms;
    });
    if (round === 0) continue; // warm-up: file cache and the node binary itself
    samples.get('node (baseline)')?.push(baseline.ms);
    targets.forEach((target, index) => samples.get(target.name)?.push(timings[index] ?? Number.NaN));
  }
  const summary = (name: Measurement['name'], bytes: number | undefined): Measurement => {
    const values = samples.get(name) ?? [];
    return { name, bytes, medianMs: median(values), minMs: Math.min(...values), maxMs: Math.max(...values) };
  };
  return [summary('node (baseline)', undefined), ...targets.map((t) => summary(t.name, t.bytes))];
};

export const formatTable = (measurements: readonly Measurement[], runs: number): string => {
  const baseline = measurements.find((m) => m.bytes === undefined)?.medianMs ?? Number.NaN;
  const header = ['bundle', 'bytes', 'median ms', 'min-max ms', 'x node', '+ms over node'];
  const rows = measurements.map((m) => [
    m.name,
    m.bytes === undefined ? '-' : m.bytes.toLocaleString('en-US'),
    m.medianMs.toFixed(0),
    `${m.minMs.toFixed(0)}-${m.maxMs.toFixed(0)}`,
    (m.medianMs / baseline).toFixed(2),
    m.bytes === undefined ? '-' : (m.medianMs - baseline).toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    `cold-start proxy: node -e "require('./index.js')" in dist/<fn>, median of ${runs} runs after 1 warm-up (node ${process.version})`,
    line(header),
    ...rows.map(line),
  ].join('\n');
};

if (/scripts[\\/]measure-bundles\.ts$/.test(process.argv[1] ?? '')) {
  const runs = Number(process.env.MEASURE_RUNS ?? 9);
  try {
    console.log(formatTable(measureBundles({ runs }), runs));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
