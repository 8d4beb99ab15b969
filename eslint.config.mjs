// Lint rules that protect the design: no floating promises (an un-awaited send in a short-lived
// function is a lost message) and the dependency direction (the domain never reaches outward).
import tseslint from 'typescript-eslint';

const sdkPackages = ['@alicloud/*', 'tablestore', 'better-sqlite3', '@darabonba/*'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.image-replicator/**', 'bin/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Port implementations are async by contract even when an in-memory one has nothing to await.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use an `as const` object, not a TS enum.' }],
    },
  },
  {
    files: ['shared/domain/**', 'shared/messages/**', 'shared/ports/**', 'shared/workflow/**', 'shared/config/**', 'functions/*/*.ts'],
    ignores: ['functions/*/index.ts', 'functions/*/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: sdkPackages, message: 'The domain and use cases never import SDKs: go through a port.' },
            { group: ['**/adapters/**', '**/sim/**', '**/cli/**', '**/runtime/**'], message: 'Depend on ports, not on adapters.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', '**/*.test.ts', 'bench/**', 'sim/**', 'cli/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
