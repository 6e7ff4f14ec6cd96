import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files share their worker's module graph instead of re-importing the whole app for each one: on a
    // busy 2-core machine imports were most of the run. Files stay independent: each builds its own app and
    // database (test/helpers/app.ts) and its own orgs.
    isolate: false,
  },
});
