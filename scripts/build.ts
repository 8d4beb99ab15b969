/**
 * `npm run build`: one CommonJS bundle per function in dist/<function>/, ready for `code:` in s.yaml.
 * A bundle that pulls in the local-only code (native SQLite, the simulator, the CLI, the local
 * runtime) fails the build: it would bloat the cold start or, for better-sqlite3, not load at all.
 */
import { build, type BuildOptions as EsbuildOptions, type Metafile, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parsePolicyConfig } from '../shared/core/config/load-policy-config';
import { PROVIDER_RULES } from '../shared/providers/catalog';
import { type DeferredGroup, deferPackages, deferredEntrySource, groupsUsed } from './deferred-packages';
import { declarationFor, implicitGlobalsOf } from './implicit-globals';
import { VALIDATED_POLICY_FILE, validatedPolicyText } from './validated-policy';

export const FUNCTIONS = ['start-copy', 'poll-status', 'notify', 'status-page'] as const;
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
/** Classic zod builds every schema with all its methods: bundles take zod/mini, through shared/core/zod.ts. */
const CLASSIC_ZOD = /(?:^|\/)node_modules\/zod\/(?:v4\/classic|v3)\//;
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
      const reason = FORBIDDEN_PACKAGES[inPackage[1]] ?? (CLASSIC_ZOD.test(path) ? 'classic zod costs the cold start: import shared/core/zod (zod/mini)' : undefined);
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
 * zod's namespace re-exports every locale (`z.locales.*`), ~360 KB that no bundle uses: English is
 * the only language the product speaks, and shared/core/zod.ts registers it. Code that takes zod's
 * namespace whole (`import { z } from 'zod'`) keeps them alive through tree shaking, so the build
 * hands zod a locale index holding English alone, the file that module registers.
 */
export const englishOnlyZod = (root: string): Plugin => ({
  name: 'english-only-zod',
  setup(pluginBuild) {
    const english = createRequire(join(root, 'package.json')).resolve('zod/v4/locales/en.js');
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(english)};`,
      loader: 'js',
      resolveDir: dirname(english),
    }));
  },
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
  /** The files of packages loaded on first use (scripts/deferred-packages.ts), beside the bundle. */
  readonly deferred: ReadonlyArray<{ readonly file: string; readonly bytes: number }>;
  readonly metafile: string;
  readonly inputs: readonly string[];
  /** Undeclared variables of dependencies that the build declared, by file. */
  readonly declaredGlobals: DeclaredGlobals;
}

/**
 * Classes esbuild renamed (`Foo2`) because two modules declare a `Foo`: their `name`, and so the
 * error names in logs, would change. Found as `Foo2=class` or `class Foo2` where `Foo` is a class too.
 */
export const renamedClasses = (source: string): string[] => {
  const declared = new Set([...source.matchAll(/(?:\bclass |(?<![\w$.])([A-Za-z_$][\w$]*)=class\b)([A-Za-z_$][\w$]*)?/g)].map((m) => m[1] ?? m[2] ?? ''));
  return [...declared].filter((name) => /\d$/.test(name) && declared.has(name.replace(/\d+$/, ''))).sort();
};

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

const entryOf = (root: string, name: FunctionName): string => join(root, 'functions', name, 'index.ts');

/** Validates the policy (failing here saves a deploy round trip) and answers its validated form (scripts/validated-policy.ts). */
const checkPolicy = (path: string): string | undefined => {
  if (!existsSync(path)) throw new BuildError(`policy file ${path} does not exist (set IMAGE_REPLICATOR_POLICY_SOURCE)`);
  const text = readFileSync(path, 'utf8');
  try {
    return validatedPolicyText(text, parsePolicyConfig(text, path, PROVIDER_RULES));
  } catch (error) {
    throw new BuildError((error as Error).message);
  }
};

const bundleOne = async (root: string, outDir: string, name: FunctionName, policy: string, validated: string | undefined): Promise<BuiltFunction> => {
  const entry = entryOf(root, name);
  if (!existsSync(entry)) throw new BuildError(`entry point ${relative(root, entry)} does not exist`);
  const directory = join(outDir, name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const bundle = join(directory, 'index.js');
  const declaredGlobals = new Map<string, readonly string[]>();
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'external',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    // Smaller to read and compile at every cold start. Identifiers are not mangled: errors and
    // logs report class names (ReplicationError subclasses name themselves after their class),
    // and keeping them by `keepNames` costs a call per function at load, ~5 ms of a cold start.
    // A class esbuild renames to dodge a collision fails the build instead (renamedClasses).
    minifyWhitespace: true,
    minifySyntax: true,
  } as const satisfies EsbuildOptions;
  const resolvedForBundle = new Map<string, string>();
  const result = await build({
    ...common,
    entryPoints: [entry],
    outfile: bundle,
    plugins: [englishOnlyZod(root), deferPackages(root, undefined, resolvedForBundle), sloppyDependencies(root, declaredGlobals)],
  });
  // Each deferred group used by the bundle gets its file, and so does each group deferred from
  // inside that file, level after level.
  const deferredBuilds: Array<{ group: DeferredGroup; file: string; metafile: Metafile }> = [];
  const pending = groupsUsed(Object.keys(result.metafile.inputs)).map((group) => ({ group, resolved: resolvedForBundle }));
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const { group, resolved } = next;
    const file = join(directory, group.file);
    const resolvedInside = new Map<string, string>();
    const deferredResult = await build({
      ...common,
      stdin: { contents: deferredEntrySource(group, resolved), resolveDir: root, sourcefile: `${group.file}-entry.js`, loader: 'js' },
      outfile: file,
      plugins: [englishOnlyZod(root), deferPackages(root, group.file, resolvedInside), sloppyDependencies(root, declaredGlobals)],
    });
    deferredBuilds.push({ group, file, metafile: deferredResult.metafile });
    pending.push(...groupsUsed(Object.keys(deferredResult.metafile.inputs), group.file).map((inner) => ({ group: inner, resolved: resolvedInside })));
  }
  const renamed = [bundle, ...deferredBuilds.map((deferred) => deferred.file)].flatMap((file) => renamedClasses(readFileSync(file, 'utf8')));
  if (renamed.length > 0) throw new BuildError(`${name}: esbuild renamed classes to avoid a collision, which changes their names: ${renamed.join(', ')}`);
  const metafile: Metafile = result.metafile;
  const inputs = [...Object.keys(metafile.inputs), ...deferredBuilds.flatMap((deferred) => Object.keys(deferred.metafile.inputs))];
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
  for (const deferred of deferredBuilds) {
    writeFileSync(join(metaDir, `${name}.${deferred.group.file}.json`), JSON.stringify(deferred.metafile, null, 1));
    renameSync(`${deferred.file}.map`, join(metaDir, `${name}.${deferred.group.file}.map`));
  }
  copyFileSync(policy, join(directory, BUNDLED_POLICY_FILE));
  if (validated !== undefined) writeFileSync(join(directory, VALIDATED_POLICY_FILE), validated);
  const deferred = deferredBuilds.map(({ file }) => ({ file, bytes: statSync(file).size }));
  return { name, directory, bundle, bytes: statSync(bundle).size, deferred, metafile: metafilePath, inputs, declaredGlobals };
};

export const buildFunctions = async (options: BuildOptions = {}): Promise<BuiltFunction[]> => {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? 'dist');
  const policy = resolve(root, options.policySource ?? process.env.IMAGE_REPLICATOR_POLICY_SOURCE ?? DEFAULT_POLICY_SOURCE);
  const validated = checkPolicy(policy);
  const built: BuiltFunction[] = [];
  // One after the other: three parallel esbuild runs gain little on two cores and interleave errors.
  for (const name of options.functions ?? FUNCTIONS) built.push(await bundleOne(root, outDir, name, policy, validated));
  return built;
};

const main = async (): Promise<void> => {
  const started = performance.now();
  const built = await buildFunctions();
  for (const fn of built) {
    const deferred = fn.deferred.map((file) => `  + ${basename(file.file)} ${(file.bytes / 1024).toFixed(0)} KiB`).join('');
    console.log(`${fn.name.padEnd(12)} ${relative(process.cwd(), fn.bundle)}  ${(fn.bytes / 1024).toFixed(0)} KiB${deferred} on first use  ${fn.inputs.length} inputs`);
  }
  console.log(`built ${built.length} bundles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};

if (/scripts[\\/]build\.ts$/.test(process.argv[1] ?? '')) {
  main().catch((error: unknown) => {
    console.error(error instanceof BuildError ? `build failed: ${error.message}` : error);
    process.exit(1);
  });
}
