import type { FastifyInstance } from 'fastify';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { SessionCache } from '../../../src/platform/auth/session-cache.js';
import { SESSION_CHANNEL } from '../../../src/platform/auth/session-signal.js';
import { testConfig, useTestApp } from '../../helpers/app.js';
import { crewInProcess as crew } from '../../helpers/cli.js';
import { DIALECTS } from '../../helpers/database.js';
import { bearer, createOrgFixture, PASSWORD, type Member } from '../../helpers/factories.js';

/**
 * The access hook's session cache (src/platform/auth/session-cache.ts) must never answer for a session, an
 * account or a membership that changed: each test warms the cache with a request, makes the change, and expects
 * the very next request to see it — made by this app, by the CLI, by another connection or by another instance.
 */
describe.each(DIALECTS)('session cache on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const databaseUrl = () =>
    ctx.db.config.dialect === 'sqlite'
      ? `sqlite:///${ctx.db.config.filename}`
      : ctx.db.config.connectionString;

  const me = (app: FastifyInstance, member: { headers: Record<string, string> }) =>
    app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: member.headers });
  const audit = (app: FastifyInstance, orgId: string, member: Member) =>
    app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/audit`, headers: member.headers });

  /**
   * A change committed by another process or instance: on SQLite the very next request sees it (PRAGMA
   * data_version); on PostgreSQL as soon as this instance's LISTEN connection has the NOTIFY sent at commit, a
   * fraction of a millisecond to a few on one machine. This waits for that delivery only (at most 1 s, while an
   * entry would live 5 s), and says so when it had to wait.
   */
  async function seenAtOnce<R extends { statusCode: number }>(
    request: () => Promise<R>,
    expected: number | ((res: R) => boolean),
  ) {
    const seen = typeof expected === 'number' ? (res: R) => res.statusCode === expected : expected;
    const started = performance.now();
    let res = await request();
    if (dialect === 'sqlite') return res;
    while (!seen(res) && performance.now() - started < 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      res = await request();
    }
    deliveries.push(performance.now() - started);
    return res;
  }
  const deliveries: number[] = [];
  afterAll(() => {
    if (deliveries.length && process.env.SESSION_CACHE_FIGURES) {
      console.warn(`${dialect}: NOTIFY seen after ${deliveries.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    }
  });

  /** Two requests: the first reads the database and fills the cache, the second is answered by it. */
  async function warm(app: FastifyInstance, member: Member) {
    for (let i = 0; i < 2; i++) expect((await me(app, member)).statusCode).toBe(200);
  }

  /** A statement on a connection of its own, as another process would run it (PostgreSQL: it NOTIFYs too). */
  async function onAnotherConnection(statement: string, params: unknown[]) {
    if (ctx.db.config.dialect === 'sqlite') {
      const other = new BetterSqlite3(ctx.db.config.filename);
      try {
        other.prepare(statement.replace(/\$\d+/g, '?')).run(...params);
      } finally {
        other.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: ctx.db.config.connectionString });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(statement, params);
      await client.query(`NOTIFY ${SESSION_CHANNEL}`);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }

  it('serves repeated requests from the cache', async () => {
    const org = await createOrgFixture(ctx.app);
    ctx.app.sessionCache.invalidate();
    await warm(ctx.app, org.tech);
    expect(ctx.app.sessionCache.size).toBe(1);
  });

  const orgsOf = async (app: FastifyInstance, member: Member) => {
    const res = await me(app, member);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { orgs: { org_id: string; name: string; role: string }[] }).orgs;
  };
  const rename = async (orgId: string, owner: Member, name: string) => {
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${orgId}`,
      headers: owner.headers,
      payload: { name },
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('`/auth/me` shows at once a renamed org, a role change and a new org', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.admin);
    await rename(org.orgId, org.owner, 'Théâtre renamed');
    expect(await orgsOf(ctx.app, org.admin)).toEqual([
      { org_id: org.orgId, name: 'Théâtre renamed', role: 'admin' },
    ]);

    const demote = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/members/${org.admin.accountId}`,
      headers: org.owner.headers,
      payload: { role: 'manager' },
    });
    expect(demote.statusCode, demote.body).toBe(200);
    expect(await orgsOf(ctx.app, org.admin)).toEqual([
      { org_id: org.orgId, name: 'Théâtre renamed', role: 'manager' },
    ]);

    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: org.admin.headers,
      payload: { name: 'Second stage' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(await orgsOf(ctx.app, org.admin)).toEqual([
      { org_id: org.orgId, name: 'Théâtre renamed', role: 'manager' },
      { org_id: created.json().id, name: 'Second stage', role: 'owner' },
    ]);
  });

  it('`/auth/me` shows at once an org renamed on another connection', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.tech);
    await onAnotherConnection('UPDATE orgs SET name = $1 WHERE id = $2', ['Renamed by hand', org.orgId]);
    const res = await seenAtOnce(
      () => me(ctx.app, org.tech),
      (r) => r.json().orgs[0]?.name === 'Renamed by hand',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().orgs).toEqual([{ org_id: org.orgId, name: 'Renamed by hand', role: 'tech' }]);
  });

  it('a logout ends the token at once', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.tech);
    const out = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: org.tech.headers,
    });
    expect(out.statusCode).toBe(200);
    const after = await me(ctx.app, org.tech);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('a password change ends the other sessions at once, and keeps the caller’s', async () => {
    const org = await createOrgFixture(ctx.app);
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.manager.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const other = { ...org.manager, headers: bearer(login.json<{ access_token: string }>().access_token) };
    await warm(ctx.app, other);
    await warm(ctx.app, org.manager);
    const change = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: org.manager.headers,
      payload: { current_password: PASSWORD, new_password: 'Another-Horse-Battery-10' },
    });
    expect(change.statusCode).toBe(200);
    expect(change.json()).toEqual({ status: 'ok' });
    expect((await me(ctx.app, other)).statusCode).toBe(401);
    const own = await me(ctx.app, org.manager);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ email: org.manager.email });
  });

  it('a demotion applies to the next request, a removal too', async () => {
    const org = await createOrgFixture(ctx.app);
    expect((await audit(ctx.app, org.orgId, org.admin)).statusCode).toBe(200);
    expect((await audit(ctx.app, org.orgId, org.admin)).statusCode).toBe(200);
    const demote = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/members/${org.admin.accountId}`,
      headers: org.owner.headers,
      payload: { role: 'tech' },
    });
    expect(demote.statusCode).toBe(200);
    const denied = await audit(ctx.app, org.orgId, org.admin);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({
      code: 'forbidden',
      detail: 'This action requires the admin role or higher',
    });

    const remove = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.orgId}/members/${org.admin.accountId}`,
      headers: org.owner.headers,
    });
    expect(remove.statusCode).toBe(204);
    const gone = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/projects`,
      headers: org.admin.headers,
    });
    expect(gone.statusCode).toBe(403);
    expect(gone.json()).toMatchObject({ code: 'forbidden', detail: 'Not a member of this org' });
  });

  it('a deactivation by hand in SQL (this app’s database) applies at once', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.tech);
    await ctx.app.database.db
      .updateTable('accounts')
      .set({ active: false })
      .where('id', '=', org.tech.accountId)
      .execute();
    expect((await me(ctx.app, org.tech)).statusCode).toBe(401);
  });

  it('a deactivation committed on another connection applies at once', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.tech);
    await onAnotherConnection('UPDATE accounts SET active = $1 WHERE id = $2', [
      dialect === 'sqlite' ? 0 : false,
      org.tech.accountId,
    ]);
    const after = await seenAtOnce(() => me(ctx.app, org.tech), 401);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('`crew account set-password` ends every session at once', async () => {
    const org = await createOrgFixture(ctx.app);
    await warm(ctx.app, org.tech);
    const set = await crew(
      ['account', 'set-password', '--email', org.tech.email, '--password', 'Cli-Horse-Battery-11'],
      {
        DATABASE_URL: databaseUrl(),
      },
    );
    expect(set.code, set.stderr).toBe(0);
    const after = await seenAtOnce(() => me(ctx.app, org.tech), 401);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('`crew member add` counts at once for a token already scoped to that org', async () => {
    const org = await createOrgFixture(ctx.app);
    const outsider = await createOrgFixture(ctx.app);
    // A token of the outsider's owner, scoped to `org` where they are not (yet) a member.
    const token = ctx.app.tokens.sign({
      sub: outsider.owner.accountId,
      org: org.orgId,
      sid: (
        await ctx.app.database.db
          .selectFrom('auth_sessions')
          .select('id')
          .where('account_id', '=', outsider.owner.accountId)
          .executeTakeFirstOrThrow()
      ).id,
    }).token;
    const projects = () =>
      ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.orgId}/projects`, headers: bearer(token) });
    expect((await projects()).statusCode).toBe(403);
    const add = await crew(
      ['member', 'add', '--org', org.orgId, '--email', outsider.owner.email, '--role', 'tech'],
      { DATABASE_URL: databaseUrl() },
    );
    expect(add.code, add.stderr).toBe(0);
    const now = await projects();
    expect(now.statusCode).toBe(200);
    expect(now.json()).toMatchObject({ items: [] });
  });

  describe('two instances on one database', () => {
    let other: FastifyInstance;
    beforeAll(async () => {
      other = await buildApp(testConfig({ DATABASE_URL: databaseUrl() }));
      await other.ready();
    });
    afterAll(async () => {
      await other?.close();
    });

    it('a demotion and a logout made on one apply at once on the other', async () => {
      const org = await createOrgFixture(ctx.app);
      for (const app of [ctx.app, other, other])
        expect((await audit(app, org.orgId, org.admin)).statusCode).toBe(200);
      const demote = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/members/${org.admin.accountId}`,
        headers: org.owner.headers,
        payload: { role: 'tech' },
      });
      expect(demote.statusCode).toBe(200);
      const denied = await seenAtOnce(() => audit(other, org.orgId, org.admin), 403);
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'forbidden' });

      await warm(other, org.tech);
      const out = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: org.tech.headers,
      });
      expect(out.statusCode).toBe(200);
      const after = await seenAtOnce(() => me(other, org.tech), 401);
      expect(after.statusCode).toBe(401);
      expect(after.json()).toMatchObject({ code: 'unauthorized' });
    });

    it('an org renamed on one shows at once in `/auth/me` on the other', async () => {
      const org = await createOrgFixture(ctx.app);
      await warm(other, org.manager);
      await rename(org.orgId, org.owner, 'Renamed elsewhere');
      const res = await seenAtOnce(
        () => me(other, org.manager),
        (r) => r.json().orgs[0]?.name === 'Renamed elsewhere',
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().orgs).toEqual([{ org_id: org.orgId, name: 'Renamed elsewhere', role: 'manager' }]);
    });
  });

  describe.runIf(dialect === 'postgres')('while the LISTEN connection is down', () => {
    it('reads every session from the database, and caches again once it is back', async () => {
      if (ctx.db.config.dialect !== 'postgres') return;
      const { connectionString } = ctx.db.config;
      const org = await createOrgFixture(ctx.app);
      await warm(ctx.app, org.tech);
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      try {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
          [`LISTEN ${SESSION_CHANNEL}`],
        );
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A change nobody announces (plain SQL, no NOTIFY): only a bypassed cache can see it.
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query('UPDATE accounts SET active = false WHERE id = $1', [org.tech.accountId]);
      await client.end();
      const after = await me(ctx.app, org.tech);
      expect(after.statusCode).toBe(401);
      expect(after.json()).toMatchObject({ code: 'unauthorized' });

      // Within the reconnection delay (1 s) the cache is listening and serving again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      ctx.app.sessionCache.invalidate();
      await warm(ctx.app, org.manager);
      expect(ctx.app.sessionCache.size).toBe(1);
    });
  });
});

describe.each(DIALECTS)('session cache with Redis unreachable, on %s', (dialect) => {
  const ctx = useTestApp(dialect, { REDIS_URL: 'redis://127.0.0.1:1' });

  it('a logout still ends the token at once (Redis plays no part in it)', async () => {
    const org = await createOrgFixture(ctx.app);
    for (let i = 0; i < 2; i++) {
      expect(
        (await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: org.tech.headers }))
          .statusCode,
      ).toBe(200);
    }
    const out = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: org.tech.headers,
    });
    expect(out.statusCode).toBe(200);
    const after = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: org.tech.headers });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'unauthorized' });
  });
});

describe('SessionCache', () => {
  // Made when each test starts: the TTL counts from storedAt.
  let entry: { accountId: string; expiresAt: number; role: 'tech'; storedAt: number };
  beforeEach(() => {
    entry = { accountId: 'a', expiresAt: Date.now() + 60_000, role: 'tech', storedAt: Date.now() };
  });

  it('does not keep an answer read before an invalidation, keeps one read after', () => {
    const cache = new SessionCache(5000, { healthy: () => true });
    const ticket = cache.lookup('s', 'o');
    expect(typeof ticket).toBe('number');
    cache.invalidate(); // a logout committed while the lookup was reading
    cache.store(ticket as number, 's', 'o', entry);
    expect(cache.size).toBe(0);
    cache.store(cache.lookup('s', 'o') as number, 's', 'o', entry);
    expect(cache.lookup('s', 'o')).toEqual(entry);
  });

  it('answers nothing while its signal is down, and empties when the stamp moves', () => {
    let healthy = true;
    let stamp = 1;
    const cache = new SessionCache(5000, { healthy: () => healthy, stamp: () => stamp });
    cache.store(cache.lookup('s', null) as number, 's', null, entry);
    expect(cache.lookup('s', null)).toEqual(entry);
    healthy = false;
    expect(cache.lookup('s', null)).toBeNull();
    healthy = true;
    stamp = 2; // another connection committed
    expect(typeof cache.lookup('s', null)).toBe('number');
    expect(cache.size).toBe(0);
  });

  it('forgets an entry after its TTL, and keeps at most 10,000', () => {
    const cache = new SessionCache(5000, { healthy: () => true });
    cache.store(cache.lookup('old', null) as number, 'old', null, { ...entry, storedAt: Date.now() - 6000 });
    expect(typeof cache.lookup('old', null)).toBe('number');
    for (let i = 0; i < 10_001; i++) cache.store(cache.lookup(`s${i}`, null) as number, `s${i}`, null, entry);
    expect(cache.size).toBe(10_000);
    expect(typeof cache.lookup('s0', null)).toBe('number');
    expect(cache.lookup('s10000', null)).toEqual(entry);
  });
});
