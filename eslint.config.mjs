// Lint rules that protect the design: no floating promises (an un-awaited send in a short-lived
// function is a lost message) and the dependency direction (the domain never reaches outward).
import tseslint from 'typescript-eslint';

const sdkPackages = ['@alicloud/*', 'tablestore', 'better-sqlite3', '@darabonba/*'];

/** Alibaba ECS and Huawei IMS error codes and statuses, as a selector regex. */
const PROVIDER_VOCABULARY =
  '/^(IMG\\.|APIGW\\.|OperationDenied|InvalidImage|IncorrectImageStatus|QuotaExceed|SizeExceed|Throttling|InvalidSnapshot|SnapshotCreatedImage|ImageUseShared|CreateFailed|UnAvailable|InvalidOperation\\.|ImageCopy)/';

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
  // A provider's vocabulary (its error codes, statuses) stays in its folder: the core and the
  // platform speak the port's outcomes only.
  {
    files: ['shared/core/**', 'shared/platform/**', 'functions/**', 'runtime/**', 'cli/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object, not a TS enum.' },
        {
          selector: `Literal[value=${PROVIDER_VOCABULARY}]`,
          message: 'A provider error code or status outside its provider folder: translate it in shared/providers/<name>/.',
        },
        {
          selector: `TemplateElement[value.raw=${PROVIDER_VOCABULARY}]`,
          message: 'A provider error code or status outside its provider folder: translate it in shared/providers/<name>/.',
        },
      ],
    },
  },
  // The layers (docs/architecture.md): the core knows no provider, platform or store; a provider
  // knows the core only; stores and the platform never reach into a provider.
  {
    files: ['shared/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: sdkPackages, message: 'The core never imports SDKs: go through a port.' },
            {
              group: ['**/providers/**', '**/platform/**', '**/stores/**', '**/sim/**', '**/cli/**', '**/runtime/**', '**/functions/**'],
              message: 'The core depends on its ports only.',
            },
          ],
        },
      ],
    },
  },
  ...['alibaba-ecs', 'huawei-ims'].map((provider) => ({
    files: [`shared/providers/${provider}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/platform/**', '**/stores/**', '**/sim/**', '**/cli/**', '**/runtime/**', '**/functions/**'],
              message: 'A provider knows the core and its own SDK, nothing else.',
            },
            { group: ['**/providers/*', `!**/providers/${provider}`, '**/providers/*/**', `!**/providers/${provider}/**`], message: 'Providers do not know each other.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['shared/stores/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/providers/**', '**/platform/fc/**', '**/sim/**', '**/cli/**', '**/runtime/**', '**/functions/**'], message: 'Stores implement core ports; they know no provider or platform wiring.' },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/*/handler.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...sdkPackages, '**/providers/**', '**/stores/**', '**/sim/**', '**/cli/**', '**/runtime/**'], message: 'A handler is the edge: decode, run the use case, map the outcome.' },
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
