/**
 * Some SDKs assign to variables they never declare (`for (key in …)` in tablestore's PlainBuffer
 * builder, `pro` in its filter module). In their own sloppy-mode files that silently creates a
 * global; inside an esbuild bundle, whose ESM-derived output starts with "use strict", the same
 * line throws `ReferenceError: key is not defined` and every Tablestore call fails before a byte
 * is sent. This finds such assignments with ESLint's scope analysis and the build declares them at
 * the top of the module that makes them, which is what sloppy mode did implicitly.
 */
import { Linter, type Rule } from 'eslint';

const implicitGlobalsRule: Rule.RuleModule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    return {
      'Program:exit'(node) {
        const scope = context.sourceCode.getScope(node);
        const written = new Set<string>();
        for (const reference of scope.through) {
          // A write to a name nobody declares (and that is not a known global such as `module`).
          if (reference.isWrite() && !scope.set.has(reference.identifier.name)) written.add(reference.identifier.name);
        }
        for (const name of written) context.report({ node, message: name });
      },
    };
  },
};

const linter = new Linter({ configType: 'flat' });
const CONFIG: Linter.Config[] = [
  {
    // A package's own `eslint-disable` comments must not hide an assignment from this check.
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
    plugins: { build: { rules: { 'implicit-globals': implicitGlobalsRule } } },
    languageOptions: {
      sourceType: 'commonjs',
      ecmaVersion: 'latest',
      // Names a CommonJS module may assign without declaring them.
      globals: { module: 'writable', exports: 'writable', global: 'writable', globalThis: 'writable' },
    },
    rules: { 'build/implicit-globals': 'error' },
  },
];

/** The undeclared names a CommonJS source assigns to, sorted; [] for a file that cannot be parsed. */
export const implicitGlobalsOf = (source: string): string[] => {
  if (/^\s*(['"])use strict\1/.test(source)) return [];
  // `/* eslint-env */` comments only draw deprecation warnings from a flat-config linter.
  const messages = linter.verify(source.replace(/\/\*\s*eslint-env\b/g, '/* env'), CONFIG);
  return [...new Set(messages.filter((m) => m.ruleId === 'build/implicit-globals').map((m) => m.message))].sort();
};

/** The line that declares them, prepended to the module: the same semantics, legal in strict mode. */
export const declarationFor = (names: readonly string[]): string => (names.length === 0 ? '' : `var ${names.join(', ')};\n`);
