// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import tongban from './scripts/lint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'kiosk-ui/dist/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { tongban },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'tongban/layers': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Tests poke at loosely typed JSON.
    files: ['**/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The kiosk's Node side (its build script, its browser tests driving Chromium): not page code, so the
    // browser-sandbox rule applies to kiosk-ui/src only.
    files: ['kiosk-ui/build.ts', 'kiosk-ui/test/**'],
    rules: { 'tongban/layers': 'off' },
  },
  {
    // Node scripts, the CLI shim, tests and benchmarks: the console is their output.
    files: ['bin/**', 'scripts/**', 'bench/**', '**/test/**', 'kiosk-ui/build.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
