import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Property tests explore many cases; give them room without hiding a hang.
    testTimeout: 60_000,
    // PGlite and per-suite databases start slowly on a loaded 2-core machine.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
