import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDatabase } from '../../src/platform/db/database.js';
import { HEAD, upgrade } from '../../src/platform/db/migrator.js';
import { testConfig } from '../helpers/app.js';
import { DIALECTS, emptyDatabase, migratedDatabase } from '../helpers/database.js';
import { uniqueEmail } from '../helpers/factories.js';

const login = { method: 'POST' as const, url: '/api/v1/auth/login' };
const wrongLogin = () => ({ ...login, payload: { email: uniqueEmail(), password: 'wrong-password-1' } });

describe.each(DIALECTS)('a database that is not migrated, on %s', (dialect) => {
  it('answers 503 database_not_migrated on every route, healthz says so, and serves once migrated', async () => {
    const empty = await emptyDatabase(dialect);
    const app = await buildApp(testConfig(), { database: empty.database });
    try {
      for (const request of [
        wrongLogin(),
        { method: 'GET' as const, url: '/api/v1/me/orgs' },
        { method: 'GET' as const, url: `/api/v1/orgs/${crypto.randomUUID()}/projects` },
      ]) {
        const res = await app.inject(request);
        expect(res.statusCode, request.url).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['retry-after']).toBe('30');
        expect(res.json()).toMatchObject({
          status: 503,
          code: 'database_not_migrated',
          detail: `The database is not migrated to ${HEAD}: run \`crew db upgrade\``,
        });
      }
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        database: 'not_migrated',
        checks: { database: false },
      });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 'not_ready', reason: 'database_not_migrated' });
      // Routes that need no table still answer.
      expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);

      await upgrade(empty.database.db);
      // The gate asks again at most once a second: a server started before `crew db upgrade` serves by itself.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await app.inject(wrongLogin());
      expect(after.statusCode).toBe(401);
      expect(after.json()).toMatchObject({ code: 'invalid_credentials' });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({
        status: 'ok',
        database: 'ok',
      });
    } finally {
      await app.close();
      await empty.drop();
    }
  });

  it('answers 503 database_unavailable when the database is gone, and healthz does not call it fine', async () => {
    const test = await migratedDatabase(dialect);
    const app = await buildApp(testConfig(), { database: test.database });
    expect((await app.inject(wrongLogin())).statusCode).toBe(401);
    await test.drop();
    try {
      const res = await app.inject(wrongLogin());
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ status: 503, code: 'database_unavailable' });
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        database: 'unavailable',
        checks: { database: false },
      });
    } finally {
      await app.close();
    }
  });
});

describe('SQLite faults', () => {
  it('a write lock held past the lock timeout answers 503 database_timeout, fast, then recovers', async () => {
    const test = await migratedDatabase('sqlite');
    const filename = (test.config as { filename: string }).filename;
    const database = createDatabase(test.config, { lockTimeoutMs: 100 });
    const app = await buildApp(testConfig(), { database });
    const other = new BetterSqlite3(filename);
    try {
      other.exec('BEGIN IMMEDIATE'); // another process (a CLI) holds the write lock
      const started = Date.now();
      const res = await app.inject(wrongLogin()); // a failed login writes its audit row
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.json()).toMatchObject({ status: 503, code: 'database_timeout' });
      other.exec('ROLLBACK');
      expect((await app.inject(wrongLogin())).statusCode).toBe(401);
    } finally {
      other.close();
      await app.close();
      await database.close();
      await test.drop();
    }
  });

  it('refuses a database path whose folder does not exist, naming it', async () => {
    const folder = join(tmpdir(), `crew-missing-${randomBytes(4).toString('hex')}`);
    await expect(buildApp(testConfig({ DATABASE_URL: `sqlite:///${folder}/crew.db` }))).rejects.toThrow(
      `SQLite database folder "${folder}" does not exist`,
    );
  });
});
