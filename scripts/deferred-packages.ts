/**
 * Packages a function needs only on some invocations, and whose loading would otherwise be paid at
 * every cold start:
 * - the Alibaba OpenAPI runtime, with its credentials provider and its HTTP, XML, proxy and date
 *   dependencies (about half of a bundle), is needed by the first ECS call, not to load the
 *   function or to answer an invocation that calls no ECS API;
 * - the YAML parser and the RE2 engine are needed to read and check a policy file, which the
 *   build has already done for the bundled one (policy.validated.json), and RE2 again only where
 *   image names are matched.
 *
 * The build puts each group into a file of its own beside the bundle, and hands the bundle, for
 * each package, a stand-in module that has the package's export names (read at build time) and
 * loads the file the first time one of them is used. esbuild's interop reads the names and
 * descriptors of a CommonJS module without reading its values, so `import X from` and
 * `import * as X from` both stay lazy until a value is touched.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

export interface DeferredGroup {
  /** Beside index.js in dist/<fn>/, so it is uploaded with it. */
  readonly file: string;
  readonly packages: readonly string[];
  /** Deferred from inside another group's file (its packages' own imports), not from our code. */
  readonly within?: string | undefined;
}

/** Loaded together: a group's packages use one another. */
export const DEFERRED_GROUPS: readonly DeferredGroup[] = [
  { file: 'alibaba-sdk.js', packages: ['@alicloud/openapi-core', '@darabonba/typescript', '@alicloud/credentials'] },
  // The runtime's websocket client (with its proxy agents) and date type, which RPC calls never use.
  { file: 'alibaba-sdk-extras.js', packages: ['ws', 'https-proxy-agent', 'http-proxy-agent', 'socks-proxy-agent', 'moment'], within: 'alibaba-sdk.js' },
  { file: 'policy-parsing.js', packages: ['yaml', 're2js'] },
];
export const DEFERRED_FILE = 'alibaba-sdk.js';

const NAMESPACE = 'deferred-package';

interface ExportShape {
  readonly keys: readonly string[];
  readonly esModule: boolean;
  /** module.exports is a function or class (`ws`, `moment`): the stand-in must be callable too. */
  readonly callable: boolean;
}

/** The export names of each module file as Node loads it, read once per build process. */
const shapes = new Map<string, ExportShape>();
const shapeOf = (file: string): ExportShape => {
  const known = shapes.get(file);
  if (known) return known;
  const loaded = createRequire(file)(file) as Record<string, unknown>;
  const shape = { keys: Object.getOwnPropertyNames(loaded), esModule: loaded.__esModule === true, callable: typeof loaded === 'function' };
  shapes.set(file, shape);
  return shape;
};

/**
 * The stand-in: a proxy whose keys and descriptors are known without loading, and whose values
 * come from the deferred file on first read. Node caches the file like any module.
 */
export const standInSource = (name: string, file: string, shape: ExportShape): string => `
const keys = ${JSON.stringify(shape.keys)};
let loaded;
const real = () => (loaded ??= require(${JSON.stringify(`./${file}`)})[${JSON.stringify(name)}]);
// A callable export needs a callable target; a function's own 'prototype' cannot be reported
// otherwise than the target has it (proxy invariants), every other key is the real module's.
const target = ${shape.callable ? 'function () {}' : '{}'};
module.exports = new Proxy(target, {
  get: (_, key) => (key === '__esModule' ? ${String(shape.esModule)} : real()[key]),
  has: (_, key) => keys.includes(key),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) => {
    const own = Reflect.getOwnPropertyDescriptor(target, key);
    if (own && !own.configurable) return own;
    return keys.includes(key) ? { configurable: true, enumerable: key !== '__esModule', get: () => real()[key] } : undefined;
  },
  set: () => false,${shape.callable ? `
  apply: (_, self, args) => Reflect.apply(real(), self, args),
  construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === module.exports ? real() : newTarget),` : ''}
});
`;

/**
 * Points imports of deferred packages at their stand-ins; the files stay external. `within`
 * undefined: our code's imports, for the groups loaded from a bundle; a group's file name: its
 * packages' own imports, for the groups deferred inside that file. `resolved` collects the module
 * file each deferred package resolved to, for the group's entry to load that very file.
 */
export const deferPackages = (root: string, within?: string, resolved: Map<string, string> = new Map()): Plugin => ({
  name: 'defer-packages',
  setup(pluginBuild) {
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const groups = DEFERRED_GROUPS.filter((group) => group.within === within);
    const packages = groups.flatMap((group) => group.packages);
    if (packages.length === 0) return;
    pluginBuild.onResolve({ filter: new RegExp(`^(${packages.map(escape).join('|')})$`) }, (args) => {
      const fromDependency = /[\\/]node_modules[\\/]/.test(args.importer);
      // From a bundle, only our code's imports: inside a deferred file its packages load one another.
      if (within === undefined && fromDependency) return undefined;
      const file = createRequire(args.importer || join(root, 'package.json')).resolve(args.path);
      const known = resolved.get(args.path);
      if (known !== undefined && known !== file) throw new Error(`${args.path} resolves to two files (${known}, ${file}): defer one version only`);
      resolved.set(args.path, file);
      return { path: args.path, namespace: NAMESPACE, pluginData: file };
    });
    pluginBuild.onResolve({ filter: new RegExp(`^\\./(${groups.map((group) => escape(group.file)).join('|')})$`) }, (args) =>
      args.namespace === NAMESPACE ? { path: args.path, external: true } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      const group = groups.find((candidate) => candidate.packages.includes(args.path));
      if (!group) throw new Error(`${args.path} is not a deferred package`);
      return { contents: standInSource(args.path, group.file, shapeOf(String(args.pluginData))), loader: 'js', resolveDir: root };
    });
  },
});

/** The groups whose stand-ins a build's metafile inputs show, deferred from `within` (undefined: from a bundle). */
export const groupsUsed = (inputs: readonly string[], within?: string): DeferredGroup[] =>
  DEFERRED_GROUPS.filter((group) => group.within === within && group.packages.some((name) => inputs.includes(`${NAMESPACE}:${name}`)));

/** A deferred file's entry: its packages by name, each from the file it resolved to where known. */
export const deferredEntrySource = (group: DeferredGroup, resolved: ReadonlyMap<string, string> = new Map()): string =>
  `module.exports = {\n${group.packages
    .map((name) => `  ${JSON.stringify(name)}: require(${JSON.stringify(resolved.get(name) ?? name)}),`)
    .join('\n')}\n};\n`;
