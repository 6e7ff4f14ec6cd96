import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config, type Env } from '../../src/config.js';
import type { Dialect } from '../../src/platform/db/database.js';
import { migratedDatabase, type TestDatabase } from './database.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-prod-0123456789';

export function testConfig(env: Env = {}): Config {
  return loadConfig({
    REALISONS_SECRET_KEY: TEST_SECRET,
    APP_ENV: 'test',
    LOG_LEVEL: 'silent',
    OUTBOX_DIR: join(inject('scratchDir'), 'outbox'),
    ...env,
  });
}

export interface TestContext {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
}

/**
 * One migrated database and one app per test file and dialect; tests isolate themselves by creating their
 * own org. Use inside a describe block: the returned object is filled in `beforeAll`.
 */
export function useTestApp(dialect: Dialect, env: Env = {}): TestContext {
  const ctx = {} as TestContext;
  beforeAll(async () => {
    ctx.db = await migratedDatabase(dialect);
    const url =
      ctx.db.config.dialect === 'sqlite'
        ? `sqlite:///${ctx.db.config.filename}`
        : ctx.db.config.connectionString;
    ctx.config = testConfig({ DATABASE_URL: url, ...env });
    ctx.app = await buildApp(ctx.config, { database: ctx.db.database });
    await ctx.app.ready();
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
