// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import tongban from './scripts/lint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'kiosk-ui/dist/'] },
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
    // Node scripts, the CLI shim, tests and benchmarks: the console is their output.
    files: ['bin/**', 'scripts/**', 'bench/**', '**/test/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
