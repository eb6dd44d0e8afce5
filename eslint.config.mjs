// ESLint flat config: typescript-eslint with type information for the TypeScript tree, plain JS rules for the
// few .js files, and the Temporal workflow sandbox's import rules for workflows/.
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettierConfig from 'eslint-config-prettier';

// What workflow code must not load at run time. temporalio/samples-typescript bans every Node built-in except
// `assert` in workflow files (the workflow sandbox has no Node APIs); we add the Temporal packages that only
// work outside the sandbox, the I/O libraries, and this project's I/O folders. Type-only imports are erased at
// compile time, so they stay allowed everywhere (`allowTypeImports`).
const ALLOWED_NODE_BUILTINS = new Set(['assert']);
const WORKFLOW_SANDBOX = 'Workflow code runs in the deterministic Temporal sandbox: no Node APIs, no I/O. Use an activity, or `import type`.';
const workflowRestrictedImports = {
  paths: builtinModules
    .filter((m) => !m.startsWith('_') && !ALLOWED_NODE_BUILTINS.has(m))
    .map((name) => ({ name, message: WORKFLOW_SANDBOX, allowTypeImports: true })),
  patterns: [
    { group: ['node:*', '!node:assert'], message: WORKFLOW_SANDBOX, allowTypeImports: true },
    {
      group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'].flatMap((p) => [p, `${p}/*`]),
      message: 'Only @temporalio/workflow and @temporalio/common belong in workflow code.',
      allowTypeImports: true,
    },
    {
      group: ['pg', 'kysely', 'express', 'pino', 'prom-client', '@alpacahq/*', '@electric-sql/*'].flatMap((p) => [p, `${p}/*`]),
      message: WORKFLOW_SANDBOX,
      allowTypeImports: true,
    },
    {
      // README: workflows/ imports neither db/ nor broker/; activities, API, CLI and Temporal client code are I/O too.
      // The one exception is broker/order-status.ts, the pure model of Alpaca's order lifecycle.
      regex: '^(\\.\\./)+(db|broker(?!/order-status$)|activities|api|cli|temporal|chaos|bench|web)(/|$)',
      message:
        'workflows/ may import strategy/, broker/order-status and their own contracts; reach I/O through activities (types via `import type`).',
      allowTypeImports: true,
    },
  ],
};

export default defineConfig(
  globalIgnores([
    'node_modules/',
    '.tools/',
    'data/',
    'dist/',
    'coverage/',
    'bench/results/',
    'tests/artifacts/',
    'tests/fixtures/',
    'web/public/vendor/',
    '**/*.d.ts',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,

  // TypeScript: type-aware linting through the tsconfig.json project.
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The point of type-aware linting here: an unawaited activity, workflow call, query or DB write is a bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],

      // Relaxed: noise, not problems, in this codebase.
      // `async` functions without `await` implement Promise-returning interfaces (activity fakes, cleanups);
      // dropping `async` would turn their throws into synchronous exceptions.
      '@typescript-eslint/require-await': 'off',
      // Every hit was a false positive: kysely's expression builder is meant to be destructured
      // (`({ not, exists, selectFrom }) => …`), and prototype patching calls the saved method with `.call(this)`.
      '@typescript-eslint/unbound-method': 'off',
      // This is a CommonJS project: `require()` is how cli/index.ts and the benchmarks' child processes load a
      // module only when it is needed. An untyped require() result is still caught by the no-unsafe-* rules.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },

  // Tests read supertest's `res.body`, JSON.parse output and recorded histories, which are `any` by design;
  // checking their shape is what the assertions do, so the no-unsafe-* family is only noise there.
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Parsed JSON and recorded histories are `any` on purpose where a test reads a few fields of them.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },

  // Workflow code: the Temporal sandbox's import restrictions.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictedImports],
    },
  },

  // Node scripts in plain CommonJS (bin/, jest.config.js): no type information.
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['web/public/**'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },

  // The pages' own scripts: browser ES modules, served as they are (no build step).
  {
    files: ['web/public/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },

  // Last: turn off every stylistic rule Prettier owns.
  prettierConfig,
);
