import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMutant, MUTANTS, type Mutant } from './catalog';
import { CHILD_RESULT_PREFIX, type SentinelVerdict } from './protocol';

/** What the chaos suite runs from: the product and the suite itself. */
const SOURCE_DIRS = ['shared', 'functions', 'runtime', 'sim', 'examples', 'test/chaos'] as const;
const SOURCE_FILES = ['package.json', 'tsconfig.json'] as const;
const CHILD_TIMEOUT_MS = 300_000;

export interface MutantResult {
  /** Undefined for the control: the same copy, unpatched, which must catch nothing. */
  readonly mutant: Mutant | undefined;
  readonly verdicts: readonly SentinelVerdict[];
  /** Sentinels whose run would fail the suite. */
  readonly caughtBy: readonly string[];
  /** The child could not run or report (not a catch). */
  readonly error?: string | undefined;
  readonly wallMs: number;
}

/** The repository the suite runs from; `npm run chaos` and vitest both start at its root. */
export const repositoryRoot = (): string => {
  const root = process.cwd();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
  if (manifest.name !== 'image-replicator') throw new Error(`run the mutants from the repository root, not ${root}`);
  return root;
};

/** A copy of the source in a temporary folder, the mutant applied, node_modules linked. */
export const prepareTree = (root: string, mutant: Mutant | undefined): string => {
  const tree = mkdtempSync(join(tmpdir(), `ir-mutant-${mutant?.id ?? 'control'}-`));
  for (const dir of SOURCE_DIRS) cpSync(join(root, dir), join(tree, dir), { recursive: true });
  for (const file of SOURCE_FILES) cpSync(join(root, file), join(tree, file));
  symlinkSync(realpathSync(join(root, 'node_modules')), join(tree, 'node_modules'), 'dir');
  if (mutant !== undefined) {
    applyMutant(mutant, { read: (file) => readFileSync(join(tree, file), 'utf8'), write: (file, text) => writeFileSync(join(tree, file), text) });
  }
  return tree;
};

const runChild = (root: string, tree: string, seed: number, sentinels: readonly string[] | undefined): Promise<{ verdicts?: SentinelVerdict[]; error?: string }> =>
  new Promise((resolve) => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const args = ['test/chaos/mutants/child.ts', '--seed', String(seed), ...(sentinels === undefined ? [] : ['--sentinels', sentinels.join(',')])];
    const child = spawn(tsx, args, { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(CHILD_RESULT_PREFIX));
      if (line === undefined) return resolve({ error: `the child exited ${code ?? 'by signal'} without a result: ${stderr.slice(-600)}` });
      resolve({ verdicts: JSON.parse(line.slice(CHILD_RESULT_PREFIX.length)) as SentinelVerdict[] });
    });
  });

/** One mutant (or the control) against the sentinels (all of them unless named): a fresh copy of the tree, removed after. */
export const runMutant = async (root: string, mutant: Mutant | undefined, seed: number, sentinels?: readonly string[]): Promise<MutantResult> => {
  const started = Date.now();
  let tree: string | undefined;
  try {
    tree = prepareTree(root, mutant);
    const { verdicts = [], error } = await runChild(root, tree, seed, sentinels);
    const caughtBy = verdicts.filter((v) => v.open.length > 0).map((v) => v.sentinel);
    return { mutant, verdicts, caughtBy, error, wallMs: Date.now() - started };
  } catch (error) {
    // A missing anchor lands here: loud, and never a catch.
    return { mutant, verdicts: [], caughtBy: [], error: error instanceof Error ? error.message : String(error), wallMs: Date.now() - started };
  } finally {
    if (tree !== undefined && existsSync(tree)) rmSync(tree, { recursive: true, force: true });
  }
};

/** The control first (it must catch nothing), then every mutant, a few child processes at a time. */
export const runMutants = async (options: { readonly seed: number; readonly concurrency: number; readonly only?: readonly string[] | undefined }): Promise<MutantResult[]> => {
  const root = repositoryRoot();
  const chosen = MUTANTS.filter((m) => options.only === undefined || options.only.includes(m.id));
  const queue: Array<Mutant | undefined> = [undefined, ...chosen];
  const results: MutantResult[] = new Array<MutantResult>(queue.length);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const index = next;
      next += 1;
      results[index] = await runMutant(root, queue[index], options.seed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return results;
};
