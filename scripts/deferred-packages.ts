/**
 * Packages a function needs only on some invocations, and whose loading would otherwise be paid at
 * every cold start: the Alibaba OpenAPI runtime (with its credentials provider and its HTTP, XML,
 * proxy and date dependencies, about half of a bundle) is needed by the first ECS call, not to
 * load the function, validate its configuration or answer an invocation that calls no ECS API.
 *
 * The build puts these packages into a file of their own beside the bundle (DEFERRED_FILE), and
 * hands the bundle, for each of them, a stand-in module that has the package's export names (read
 * at build time) and loads the file the first time one of them is used. esbuild's interop reads
 * the names and descriptors of a CommonJS module without reading its values, so `import X from`
 * and `import * as X from` both stay lazy until a value is touched.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

export const DEFERRED_PACKAGES = ['@alicloud/openapi-core', '@darabonba/typescript', '@alicloud/credentials'] as const;
/** Beside index.js in dist/<fn>/, so it is uploaded with it. */
export const DEFERRED_FILE = 'alibaba-sdk.js';

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
export const standInSource = (name: string, shape: ExportShape): string => `
const keys = ${JSON.stringify(shape.keys)};
let loaded;
const real = () => (loaded ??= require(${JSON.stringify(`./${DEFERRED_FILE}`)})[${JSON.stringify(name)}]);
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? ${String(shape.esModule)} : real()[key]),
  has: (_, key) => keys.includes(key),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) => (keys.includes(key) ? { configurable: true, enumerable: key !== '__esModule', get: () => real()[key] } : undefined),
  set: () => false,
});
`;

/** Points the bundle's imports of the deferred packages at their stand-ins; the file stays external. */
export const deferPackages = (root: string): Plugin => ({
  name: 'defer-packages',
  setup(pluginBuild) {
    const names = new Set<string>(DEFERRED_PACKAGES);
    pluginBuild.onResolve({ filter: /^@(alicloud|darabonba)\// }, (args) => (names.has(args.path) ? { path: args.path, namespace: NAMESPACE } : undefined));
    pluginBuild.onResolve({ filter: new RegExp(`^\\./${DEFERRED_FILE.replace('.', '\\.')}$`) }, (args) =>
      args.namespace === NAMESPACE ? { path: args.path, external: true } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: standInSource(args.path, shapeOf(root, args.path)),
      loader: 'js',
      resolveDir: root,
    }));
  },
});

/** The deferred file's entry: every deferred package, by name. */
export const deferredEntrySource = (): string =>
  `module.exports = {\n${DEFERRED_PACKAGES.map((name) => `  ${JSON.stringify(name)}: require(${JSON.stringify(name)}),`).join('\n')}\n};\n`;
