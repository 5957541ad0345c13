import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    // Integration tests spawn processes, open ptys and start servers: give them time, but not forever.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['**/test/**/*.test.ts'], exclude: ['node_modules/**', 'dist/**', 'kiosk-ui/**'] },
      },
      {
        // The kiosk pages end to end: each file runs `tongban start` and a real Chromium (several processes).
        // On a 2-core machine they run one file at a time, after the other tests (groupOrder), with more time.
        extends: true,
        test: {
          name: 'kiosk-ui',
          include: ['kiosk-ui/test/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
