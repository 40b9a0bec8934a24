import { defineConfig } from 'vitest/config';

// The suite talks to one real MongoDB-protocol server and real local platform fakes on a
// 2-core machine: one file at a time, in a child process each, with timeouts sized for
// real I/O (database start-up, Chromium) rather than unit-test defaults.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
