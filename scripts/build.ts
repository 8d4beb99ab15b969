/**
 * `npm run build`: one CommonJS bundle per function in dist/<function>/, ready for `code:` in s.yaml.
 * A bundle that pulls in the local-only code (native SQLite, the simulator, the CLI, the local
 * runtime) fails the build: it would bloat the cold start or, for better-sqlite3, not load at all.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parsePolicyConfig } from '../shared/core/config/load-policy-config';
import { PROVIDER_RULES } from '../shared/providers/catalog';
import { declarationFor, implicitGlobalsOf } from './implicit-globals';

export const FUNCTIONS = ['start-copy', 'poll-status', 'notify'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export const DEFAULT_POLICY_SOURCE = 'examples/policy.yaml';
/** Relative to the function's code root, which is FC's working directory. */
export const BUNDLED_POLICY_FILE = 'policy.yaml';

export interface ForbiddenInput {
  readonly input: string;
  readonly reason: string;
}

const FORBIDDEN_PACKAGES: Readonly<Record<string, string>> = {
  'better-sqlite3': 'native SQLite is for the local runtime only',
  bindings: 'native addon loader (better-sqlite3)',
};
const FORBIDDEN_SOURCE_DIRS: Readonly<Record<string, string>> = {
  sim: 'the ECS simulator is for local runs and tests',
  cli: 'the CLI is not part of a function',
  runtime: 'the local runtime is not part of a function',
};

/** Names every metafile input that must not be in a function bundle, with the reason. */
export const findForbiddenInputs = (inputs: readonly string[]): ForbiddenInput[] => {
  const found: ForbiddenInput[] = [];
  for (const input of inputs) {
    const path = input.replace(/\\/g, '/');
    const inPackage = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (inPackage?.[1] !== undefined) {
      const reason = FORBIDDEN_PACKAGES[inPackage[1]];
      if (reason !== undefined) found.push({ input, reason });
      continue;
    }
    const segments = path.split('/');
    const dir = segments.find((segment) => segment in FORBIDDEN_SOURCE_DIRS);
    if (dir !== undefined) found.push({ input, reason: FORBIDDEN_SOURCE_DIRS[dir] ?? dir });
    else if (/(?:^|\/)shared\/stores\/sqlite\//.test(path)) found.push({ input, reason: 'SQLite adapters are for the local runtime only' });
  }
  return found;
};

/**
 * @alicloud/mns's index picks lib/ (async functions) or a Babel es5/ build at run time; esbuild
 * would follow both, and es5/ needs babel-runtime, which is not installed. Node 20 takes lib/.
 */
const sdkAliases = (root: string): Record<string, string> => ({
  '@alicloud/mns': createRequire(join(root, 'package.json')).resolve('@alicloud/mns/lib/client.js'),
});

/** What the build declared, per package file: reported by the build and checked by the bundle tests. */
export type DeclaredGlobals = ReadonlyMap<string, readonly string[]>;

/**
 * Declares, at the top of each dependency module, the variables it assigns without declaring
 * (scripts/implicit-globals.ts says why): the bundle is strict, the SDKs were written sloppy.
 */
const scanned = new Map<string, readonly string[]>();
const sloppyDependencies = (root: string, declared: Map<string, readonly string[]>): Plugin => ({
  name: 'sloppy-dependencies',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      // Three bundles share most of their inputs: each file is analysed once per build process.
      const names = scanned.get(args.path) ?? implicitGlobalsOf(source);
      scanned.set(args.path, names);
      if (names.length === 0) return undefined;
      declared.set(relative(root, args.path).replace(/\\/g, '/'), names);
      return { contents: declarationFor(names) + source, loader: 'js' };
    });
  },
});

/** One line per reason: a package drags in dozens of files and the first one says enough. */
const summarise = (forbidden: readonly ForbiddenInput[]): string => {
  const byReason = new Map<string, string[]>();
  for (const { input, reason } of forbidden) byReason.set(reason, [...(byReason.get(reason) ?? []), input]);
  return [...byReason].map(([reason, inputs]) => `  ${reason}: ${inputs[0]}${inputs.length > 1 ? ` and ${inputs.length - 1} more` : ''}`).join('\n');
};

export interface BuildOptions {
  /** The repository root; defaults to the working directory (npm runs scripts from the root). */
  readonly root?: string | undefined;
  readonly outDir?: string | undefined;
  /** The policy file copied into every bundle; IMAGE_REPLICATOR_POLICY_SOURCE or the example by default. */
  readonly policySource?: string | undefined;
  readonly functions?: readonly FunctionName[] | undefined;
}

export interface BuiltFunction {
  readonly name: FunctionName;
  readonly directory: string;
  readonly bundle: string;
  readonly bytes: number;
  readonly metafile: string;
  readonly inputs: readonly string[];
  /** Undeclared variables of dependencies that the build declared, by file. */
  readonly declaredGlobals: DeclaredGlobals;
}

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

const entryOf = (root: string, name: FunctionName): string => join(root, 'functions', name, 'index.ts');

const checkPolicy = (path: string): void => {
  if (!existsSync(path)) throw new BuildError(`policy file ${path} does not exist (set IMAGE_REPLICATOR_POLICY_SOURCE)`);
  // The functions validate it again at cold start; failing here saves a deploy round trip.
  try {
    parsePolicyConfig(readFileSync(path, 'utf8'), path, PROVIDER_RULES);
  } catch (error) {
    throw new BuildError((error as Error).message);
  }
};

const bundleOne = async (root: string, outDir: string, name: FunctionName, policy: string): Promise<BuiltFunction> => {
  const entry = entryOf(root, name);
  if (!existsSync(entry)) throw new BuildError(`entry point ${relative(root, entry)} does not exist`);
  const directory = join(outDir, name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const bundle = join(directory, 'index.js');
  const declaredGlobals = new Map<string, readonly string[]>();
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'external',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    alias: sdkAliases(root),
    plugins: [sloppyDependencies(root, declaredGlobals)],
  });
  const metafile: Metafile = result.metafile;
  const inputs = Object.keys(metafile.inputs);
  const forbidden = findForbiddenInputs(inputs);
  if (forbidden.length > 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new BuildError(`${name} bundles code that must stay out of the cloud:\n${summarise(forbidden)}`);
  }
  // Kept beside dist/<fn>, not inside it: `code: ./dist/<fn>` uploads the whole folder, and the
  // source map (twice the bundle's size) is only needed to read a stack trace afterwards.
  const metaDir = join(outDir, 'meta');
  mkdirSync(metaDir, { recursive: true });
  const metafilePath = join(metaDir, `${name}.json`);
  writeFileSync(metafilePath, JSON.stringify(metafile, null, 1));
  renameSync(`${bundle}.map`, join(metaDir, `${name}.js.map`));
  copyFileSync(policy, join(directory, BUNDLED_POLICY_FILE));
  return { name, directory, bundle, bytes: statSync(bundle).size, metafile: metafilePath, inputs, declaredGlobals };
};

export const buildFunctions = async (options: BuildOptions = {}): Promise<BuiltFunction[]> => {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? 'dist');
  const policy = resolve(root, options.policySource ?? process.env.IMAGE_REPLICATOR_POLICY_SOURCE ?? DEFAULT_POLICY_SOURCE);
  checkPolicy(policy);
  const built: BuiltFunction[] = [];
  // One after the other: three parallel esbuild runs gain little on two cores and interleave errors.
  for (const name of options.functions ?? FUNCTIONS) built.push(await bundleOne(root, outDir, name, policy));
  return built;
};

const main = async (): Promise<void> => {
  const started = performance.now();
  const built = await buildFunctions();
  for (const fn of built) {
    console.log(`${fn.name.padEnd(12)} ${relative(process.cwd(), fn.bundle)}  ${(fn.bytes / 1024).toFixed(0)} KiB  ${fn.inputs.length} inputs`);
  }
  console.log(`built ${built.length} bundles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};

if (/scripts[\\/]build\.ts$/.test(process.argv[1] ?? '')) {
  main().catch((error: unknown) => {
    console.error(error instanceof BuildError ? `build failed: ${error.message}` : error);
    process.exit(1);
  });
}
