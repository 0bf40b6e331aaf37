import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests explore many cases; give them room without hiding a hang.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
