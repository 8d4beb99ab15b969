/**
 * `npm run bundle:measure` (after `npm run build`): each bundle's size, and a cold-start proxy:
 * the wall time of `node -e "require('./index.js')"` in the bundle's folder (FC's working
 * directory), median of several runs after a warm-up, against a bare `node -e ''` measured in the
 * same rounds so machine noise hits both alike. Also the CPU time of the same runs (steadier than
 * wall time on a shared machine), the load average while measuring, and what the first use of the
 * packages the build deferred (scripts/deferred-packages.ts) adds later, inside the process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePolicyConfig } from '../shared/core/config/load-policy-config';
import { FunctionEnv } from '../shared/platform/fc/function-env';
import { BUNDLED_POLICY_FILE, FUNCTIONS, type FunctionName } from './build';
import { DEFERRED_GROUPS } from './deferred-packages';

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
  IMAGE_REPLICATOR_POLL_QUEUE: 'image-replicator-poll',
  IMAGE_REPLICATOR_DEAD_LETTER_QUEUE: 'image-replicator-dead-letters',
  IMAGE_REPLICATOR_MNS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_ACCOUNT_ID: '1234567890',
  IMAGE_REPLICATOR_ECS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_ESS_ENDPOINT: NOWHERE,
  IMAGE_REPLICATOR_HUAWEI_IMS_ENDPOINT: `${NOWHERE}/{region}`,
  IMAGE_REPLICATOR_HUAWEI_ECS_ENDPOINT: `${NOWHERE}/{region}`,
  IMAGE_REPLICATOR_HUAWEI_AS_ENDPOINT: `${NOWHERE}/{region}`,
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
  // The status page's own variable (functions/status-page/env.ts); the other functions ignore it.
  env.IMAGE_REPLICATOR_STATUS_TOKEN = 'fake-status-token-for-measuring-only';
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
  /** Files beside the bundle that are loaded on first use, not at start. */
  readonly deferredBytes: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The child's own CPU time (user + system), median. */
  readonly medianCpuMs: number;
  /** In-process time to load every deferred file after the bundle, median: paid by the first call that needs them. */
  readonly firstUseMs: number | undefined;
}

/** Prints the child's CPU time and, optionally, how long loading the deferred files took. */
const probe = (load: string, deferred: readonly string[]): string =>
  `${load};const t=performance.now();${deferred.map((file) => `require('./${file}');`).join('')}` +
  "const u=process.cpuUsage();process.stdout.write(JSON.stringify({cpu:(u.user+u.system)/1000,firstUse:performance.now()-t}));";

const sampleOf = (outcome: RunOutcome): { cpu: number; firstUse: number } => {
  const parsed = JSON.parse(outcome.stdout) as { cpu: number; firstUse: number };
  return { cpu: parsed.cpu, firstUse: parsed.firstUse };
};

export interface MeasureReport {
  readonly runs: number;
  readonly loadAverage: readonly number[];
  readonly measurements: readonly Measurement[];
}

export const measureBundles = (options: { root?: string; runs?: number; functions?: readonly FunctionName[] } = {}): MeasureReport => {
  const root = resolve(options.root ?? process.cwd());
  const runs = options.runs ?? 9;
  const functions = options.functions ?? FUNCTIONS;
  const loadAverage = loadavg();
  const targets = functions.map((name) => {
    const dir = join(root, 'dist', name);
    if (!existsSync(join(dir, 'index.js'))) throw new Error(`dist/${name}/index.js is missing: run npm run build first`);
    const present = new Set(readdirSync(dir));
    const files = DEFERRED_GROUPS.map((group) => group.file).filter((file) => present.has(file));
    const deferredBytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    // What a first ECS call loads: the files the bundle itself defers (not those deferred inside them).
    const deferred = DEFERRED_GROUPS.filter((group) => group.within === undefined && present.has(group.file)).map((group) => group.file);
    return { name, dir, env: fakeFunctionEnv(dir), bytes: statSync(join(dir, 'index.js')).size, deferred, deferredBytes };
  });
  type Sample = { ms: number; cpu: number; firstUse: number };
  const samples = new Map<string, Sample[]>([['node (baseline)', []], ...targets.map((t) => [t.name, []] as [string, Sample[]])]);
  const run = (code: string, cwd: string, env: Record<string, string>, what: string): Sample => {
    const outcome = runNode(code, cwd, env);
    if (outcome.status !== 0) throw new Error(`${what} failed:\n${outcome.stderr.slice(0, 2000)}`);
    return { ms: outcome.ms, ...sampleOf(outcome) };
  };
  for (let round = 0; round <= runs; round += 1) {
    const baseline = run(probe('', []), root, {}, 'node');
    const timings = targets.map((target) => run(probe("require('./index.js')", []), target.dir, target.env, `requiring dist/${target.name}/index.js`));
    // In a separate process, so that the start measured above is a true cold one.
    const firstUses = targets.map((target) => run(probe("require('./index.js')", target.deferred), target.dir, target.env, `dist/${target.name}: first use`));
    if (round === 0) continue; // warm-up: file cache and the node binary itself
    samples.get('node (baseline)')?.push(baseline);
    targets.forEach((target, index) => {
      const timing = timings[index];
      if (timing) samples.get(target.name)?.push({ ...timing, firstUse: firstUses[index]?.firstUse ?? Number.NaN });
    });
  }
  const summary = (name: Measurement['name'], bytes: number | undefined, deferredBytes: number, hasDeferred: boolean): Measurement => {
    const values = samples.get(name) ?? [];
    const ms = values.map((v) => v.ms);
    return {
      name,
      bytes,
      deferredBytes,
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      medianCpuMs: median(values.map((v) => v.cpu)),
      firstUseMs: hasDeferred ? median(values.map((v) => v.firstUse)) : undefined,
    };
  };
  return {
    runs,
    loadAverage,
    measurements: [summary('node (baseline)', undefined, 0, false), ...targets.map((t) => summary(t.name, t.bytes, t.deferredBytes, t.deferred.length > 0))],
  };
};

export const formatTable = (report: MeasureReport): string => {
  const { measurements, runs } = report;
  const base = measurements.find((m) => m.bytes === undefined);
  const baseline = base?.medianMs ?? Number.NaN;
  const baselineCpu = base?.medianCpuMs ?? Number.NaN;
  const header = ['bundle', 'bytes', 'deferred bytes', 'median ms', 'min-max ms', 'x node', 'cpu ms', 'cpu x node', 'first use +ms'];
  const rows = measurements.map((m) => [
    m.name,
    m.bytes === undefined ? '-' : m.bytes.toLocaleString('en-US'),
    m.bytes === undefined ? '-' : m.deferredBytes.toLocaleString('en-US'),
    m.medianMs.toFixed(0),
    `${m.minMs.toFixed(0)}-${m.maxMs.toFixed(0)}`,
    (m.medianMs / baseline).toFixed(2),
    m.medianCpuMs.toFixed(0),
    (m.medianCpuMs / baselineCpu).toFixed(2),
    m.firstUseMs === undefined ? '-' : m.firstUseMs.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const bundles = measurements.filter((m) => m.bytes !== undefined);
  const worst = bundles.reduce<Measurement | undefined>((acc, m) => (acc === undefined || m.medianMs > acc.medianMs ? m : acc), undefined);
  return [
    `cold-start proxy: node -e "require('./index.js')" in dist/<fn>, median of ${runs} runs after 1 warm-up (node ${process.version}, load average ${report.loadAverage.map((l) => l.toFixed(2)).join(' ')})`,
    line(header),
    ...rows.map(line),
    worst ? `worst: ${worst.name} at ${(worst.medianMs / baseline).toFixed(2)}x node (wall), ${(worst.medianCpuMs / baselineCpu).toFixed(2)}x (cpu)` : 'no bundle measured',
  ].join('\n');
};

if (/scripts[\\/]measure-bundles\.ts$/.test(process.argv[1] ?? '')) {
  const runs = Number(process.env.MEASURE_RUNS ?? 9);
  try {
    console.log(formatTable(measureBundles({ runs })));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
