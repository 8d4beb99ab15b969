import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/program';
import { createEcsSimulator } from '../../sim/ecs-simulator';
import { loadSeedFile } from '../../sim/seed';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The environment a user without cloud credentials has: none of ours, none of the clouds'. */
export const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('ALIBABA_CLOUD_') && !key.startsWith('IMAGE_REPLICATOR_') && !key.startsWith('HUAWEICLOUD_') && !key.endsWith('_WEBHOOK_SECRET')),
  ),
  ...extra,
});

/** Runs one command line in this process, as the installed command would, with captured streams. */
export const cli = async (
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; stopCode?: number; onOut?: (text: string) => void } = {},
): Promise<CliResult> => {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    io: {
      out: (text) => {
        out += text;
        options.onOut?.(text);
      },
      err: (text) => {
        err += text;
      },
      tty: false,
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? process.cwd(),
    },
    stop: { signal: options.signal ?? new AbortController().signal, exitCode: () => options.stopCode ?? 130 },
  });
  return { code, out, err };
};

export const tempDir = (prefix = 'ir-cli-'): string => mkdtempSync(join(tmpdir(), prefix));

/**
 * A small, fast ECS world: two golden images of 1 GiB in Hangzhou, copies done in a few virtual
 * minutes, at a speed that makes that a fraction of a second.
 */
export const SMALL_SEED = `credentials:
  - accessKeyId: LTAI-sim-test
    accessKeySecret: sim-test-secret-not-for-production
regions:
  - { id: cn-hangzhou }
  - { id: cn-shanghai }
  - { id: cn-beijing }
speed: 3000
randomSeed: 7
copy: { bandwidthMiBps: 50, overheadSeconds: 60, maxConcurrentPerSourceRegion: 5 }
images:
  - { region: cn-hangzhou, name: golden-a, sizeGiB: 1, tags: { role: golden } }
  - { region: cn-hangzhou, name: golden-b, sizeGiB: 1, tags: { role: golden } }
faults: { copyFailureProbability: 0 }
`;

export const ALIBABA_POLICY = `version: 1
policies:
  - name: golden
    source: { region: cn-hangzhou, select: { tags: { role: golden } } }
    destinations: [{ region: cn-shanghai }, { region: cn-beijing }]
`;

/** A folder with the small seed and an Alibaba-only policy, as a user's project would be. */
export const project = (files: Record<string, string> = {}): string => {
  const dir = tempDir();
  writeFileSync(join(dir, 'seed.yaml'), SMALL_SEED);
  writeFileSync(join(dir, 'policy.yaml'), ALIBABA_POLICY);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

/** `run` on the small world in `dir`, state in dir/state. */
export const runArgs = (...extra: string[]): string[] => ['run', '--config', 'policy.yaml', '--seed', 'seed.yaml', '--state-dir', 'state', ...extra];

/** The small world with both golden images in one image family: retention groups their copies. */
export const FAMILY_SEED = SMALL_SEED.replaceAll('sizeGiB: 1, tags:', 'sizeGiB: 1, imageFamily: golden, tags:');

/** The Alibaba policy keeping only the newest copy of each family per destination. */
export const RETENTION_POLICY = `${ALIBABA_POLICY}    retention: { keepNewest: 1, groupBy: family }
`;

/** Opens the simulated world a run left in dir/state, to look at it (or change it) from the test. */
export const savedWorld = async (dir: string, seed = 'seed.yaml') => createEcsSimulator({ seed: await loadSeedFile(join(dir, seed)), stateFile: join(dir, 'state', 'ecs-simulator.json') });
