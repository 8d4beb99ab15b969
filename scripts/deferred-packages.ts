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
}

/** Loaded together: a group's packages use one another. */
export const DEFERRED_GROUPS: readonly DeferredGroup[] = [
  { file: 'alibaba-sdk.js', packages: ['@alicloud/openapi-core', '@darabonba/typescript', '@alicloud/credentials'] },
  { file: 'policy-parsing.js', packages: ['yaml', 're2js'] },
];
export const DEFERRED_FILE = 'alibaba-sdk.js';
const groupOf = (name: string): DeferredGroup | undefined => DEFERRED_GROUPS.find((group) => group.packages.includes(name));

const NAMESPACE = 'deferred-package';

interface ExportShape {
  readonly keys: readonly string[];
  readonly esModule: boolean;
}

/** The export names of each package as Node loads it, read once per build process. */
const shapes = new Map<string, ExportShape>();
const shapeOf = (root: string, name: string): ExportShape => {
  const known = shapes.get(name);
  if (known) return known;
  const loaded = createRequire(join(root, 'package.json'))(name) as Record<string, unknown>;
  const shape = { keys: Object.getOwnPropertyNames(loaded), esModule: loaded.__esModule === true };
  shapes.set(name, shape);
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
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? ${String(shape.esModule)} : real()[key]),
  has: (_, key) => keys.includes(key),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) => (keys.includes(key) ? { configurable: true, enumerable: key !== '__esModule', get: () => real()[key] } : undefined),
  set: () => false,
});
`;

/** Points the bundle's imports of the deferred packages at their stand-ins; the files stay external. */
export const deferPackages = (root: string): Plugin => ({
  name: 'defer-packages',
  setup(pluginBuild) {
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const packages = DEFERRED_GROUPS.flatMap((group) => group.packages);
    pluginBuild.onResolve({ filter: new RegExp(`^(${packages.map(escape).join('|')})$`) }, (args) =>
      // Only our code's imports: inside a deferred file the packages load one another directly.
      /[\\/]node_modules[\\/]/.test(args.importer) ? undefined : { path: args.path, namespace: NAMESPACE },
    );
    pluginBuild.onResolve({ filter: new RegExp(`^\\./(${DEFERRED_GROUPS.map((group) => escape(group.file)).join('|')})$`) }, (args) =>
      args.namespace === NAMESPACE ? { path: args.path, external: true } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      const group = groupOf(args.path);
      if (!group) throw new Error(`${args.path} is not a deferred package`);
      return { contents: standInSource(args.path, group.file, shapeOf(root, args.path)), loader: 'js', resolveDir: root };
    });
  },
});

/** The groups a bundle's metafile inputs show it uses. */
export const groupsUsed = (inputs: readonly string[]): DeferredGroup[] =>
  DEFERRED_GROUPS.filter((group) => group.packages.some((name) => inputs.includes(`${NAMESPACE}:${name}`)));

/** A deferred file's entry: its packages, by name. */
export const deferredEntrySource = (group: DeferredGroup): string =>
  `module.exports = {\n${group.packages.map((name) => `  ${JSON.stringify(name)}: require(${JSON.stringify(name)}),`).join('\n')}\n};\n`;
