// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.local/**', 'packages/db/src/generated/**', 'coverage/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['infra/**', 'loadtests/**', 'test/**', '**/*.test.ts', '**/cli/**', '**/*.mjs', '**/*.cjs'],
    rules: { 'no-console': 'off' },
  },
  {
    // The resident and staff pages: plain browser ES modules, no build step.
    files: ['services/gateway/public/**/*.js'],
    ignores: ['services/gateway/public/**/*-worker.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    // The proof-of-work runs in a dedicated worker: no window, no document.
    files: ['services/gateway/public/**/*-worker.js'],
    languageOptions: { sourceType: 'module', globals: globals.worker },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
  },
);
