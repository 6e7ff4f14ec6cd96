import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS, racesCanHappen, RACES_ONLY_WHERE_POSSIBLE } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { REFRESH_RACE_WINDOW_MS } from '../../../src/modules/auth/auth.service.js';
import { loginAs, me, refreshCookieOf, refreshWith } from './helpers.js';

describe.each(DIALECTS)('sessions on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('refresh rotates the cookie: the new token works, the old one is dead', async () => {
    const org = await createOrgFixture(ctx.app);
    const first = await loginAs(ctx, org.tech.email);
    const res = await refreshWith(ctx, first.refreshToken);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
      org_id: org.orgId,
    });
    const next = refreshCookieOf(res)!;
    expect(next).not.toBe(first.refreshToken);
    expect((await me(ctx, res.json().access_token)).statusCode).toBe(200);
    expect((await refreshWith(ctx, next)).statusCode).toBe(200);
  });

  it('reuse of a rotated token after the race window revokes the whole family', async () => {
    const org = await createOrgFixture(ctx.app);
    const first = await loginAs(ctx, org.tech.email);
    const second = refreshCookieOf(await refreshWith(ctx, first.refreshToken))!;
    const third = refreshCookieOf(await refreshWith(ctx, second))!;
    // age the rotation of the first token beyond the race window
    const old = new Date(Date.now() - REFRESH_RACE_WINDOW_MS - 1000).toISOString();
    await ctx.app.database.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: old })
      .where('rotated_at', 'is not', null)
      .execute();

    const reuse = await refreshWith(ctx, first.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({
      code: 'unauthorized',
      detail: expect.stringMatching(/reuse detected/),
    });
    // every descendant and every access token of the session is dead now
    expect((await refreshWith(ctx, third)).statusCode).toBe(401);
    expect((await me(ctx, first.accessToken)).statusCode).toBe(401);
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_account_id'])
      .where('action', '=', 'auth.refresh_reuse')
      .where('actor_account_id', '=', org.tech.accountId)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it.runIf(racesCanHappen(dialect))(
    `20 concurrent refreshes of one token leave exactly one live successor ${RACES_ONLY_WHERE_POSSIBLE}`,
    async () => {
      const org = await createOrgFixture(ctx.app);
      const { refreshToken, accessToken } = await loginAs(ctx, org.tech.email);
      const results = await Promise.all(Array.from({ length: 20 }, () => refreshWith(ctx, refreshToken)));
      const ok = results.filter((r) => r.statusCode === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((r) => r.statusCode !== 200)) {
        expect(r.statusCode).toBe(409);
        expect(r.json()).toMatchObject({ code: 'refresh_in_progress' });
      }
      const live = await ctx.app.database.db
        .selectFrom('refresh_tokens as r')
        .innerJoin('auth_sessions as s', 's.id', 'r.session_id')
        .select('r.id')
        .where('s.account_id', '=', org.tech.accountId)
        .where('r.rotated_at', 'is', null)
        .execute();
      expect(live).toHaveLength(1);
      // the session survived the race: the successor refreshes, the old access token still works
      expect((await refreshWith(ctx, refreshCookieOf(ok[0]!)!)).statusCode).toBe(200);
      expect((await me(ctx, accessToken)).statusCode).toBe(200);
    },
  );

  it('refresh without a cookie, with garbage, or for an ended session is 401', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/refresh' })).json()).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    expect((await refreshWith(ctx, 'not-a-token')).statusCode).toBe(401);
  });

  it('logout ends the session: its access token is refused from the next request on', async () => {
    const org = await createOrgFixture(ctx.app);
    const { accessToken, refreshToken } = await loginAs(ctx, org.tech.email);
    expect((await me(ctx, accessToken)).statusCode).toBe(200);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { refresh_token: refreshToken },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    const cleared = res.cookies.find((c) => c.name === 'refresh_token')!;
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/api/v1/auth');
    const after = await me(ctx, accessToken);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({
      code: 'unauthorized',
      detail: expect.stringMatching(/session has ended/),
    });
    expect((await refreshWith(ctx, refreshToken)).statusCode).toBe(401);
  });

  it('logout with only a bearer token ends that session too; logout with nothing is still 200', async () => {
    const org = await createOrgFixture(ctx.app);
    const { accessToken } = await loginAs(ctx, org.tech.email);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(ctx, accessToken)).statusCode).toBe(401);
    const nothing = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(nothing.statusCode).toBe(200);
    expect(nothing.json()).toEqual({ status: 'ok' });
  });

  it('switch-org issues a token for another membership and rotates the cookie', async () => {
    const a = await createOrgFixture(ctx.app);
    const b = await createOrgFixture(ctx.app);
    await ctx.app.database.db
      .insertInto('org_memberships')
      .values({
        id: crypto.randomUUID(),
        org_id: b.orgId,
        account_id: a.tech.accountId,
        role: 'manager',
        // later than the fixture's membership in `a`: the login's default org is the oldest membership, and
        // two made in the same millisecond are ordered by their random ids (a fast machine did that)
        created_at: new Date(Date.now() + 60_000).toISOString(),
      })
      .execute();
    const session = await loginAs(ctx, a.tech.email);
    expect(session.body.org_id).toBe(a.orgId);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-org',
      headers: { authorization: `Bearer ${session.accessToken}` },
      cookies: { refresh_token: session.refreshToken },
      payload: { org_id: b.orgId },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'bearer', org_id: b.orgId });
    const meB = await me(ctx, res.json().access_token);
    expect(meB.json()).toMatchObject({
      org_id: b.orgId,
      role: 'manager',
      orgs: expect.arrayContaining([
        { org_id: a.orgId, name: a.name, role: 'tech' },
        { org_id: b.orgId, name: b.name, role: 'manager' },
      ]),
    });
    const rotated = refreshCookieOf(res)!;
    expect(rotated).not.toBe(session.refreshToken);
    const refreshed = await refreshWith(ctx, rotated);
    expect(refreshed.json()).toMatchObject({ org_id: b.orgId });

    const foreign = await createOrgFixture(ctx.app);
    const denied = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-org',
      headers: { authorization: `Bearer ${session.accessToken}` },
      payload: { org_id: foreign.orgId },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'forbidden' });
  });

  it('login with org_id picks that membership, and refuses an org the account is not in', async () => {
    const a = await createOrgFixture(ctx.app);
    const b = await createOrgFixture(ctx.app);
    const ok = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.admin.email, password: 'Correct-Horse-Battery-9', org_id: a.orgId },
    });
    expect(ok.json()).toMatchObject({ org_id: a.orgId });
    const no = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.admin.email, password: 'Correct-Horse-Battery-9', org_id: b.orgId },
    });
    expect(no.statusCode).toBe(403);
    expect(no.json()).toMatchObject({ code: 'forbidden' });
  });

  it('an account without membership logs in with org_id null and role null', async () => {
    const { createAccount } = await import('../../helpers/factories.js');
    const account = await createAccount(ctx.app);
    const session = await loginAs(ctx, account.email);
    expect(session.body.org_id).toBeNull();
    expect((await me(ctx, session.accessToken)).json()).toEqual({
      id: account.id,
      email: account.email,
      org_id: null,
      role: null,
      orgs: [],
    });
  });

  it('writes audit rows for login success and failure and logout', async () => {
    const org = await createOrgFixture(ctx.app);
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.owner.email, password: 'nope-nope-nope' },
    });
    const { refreshToken } = await loginAs(ctx, org.owner.email);
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { refresh_token: refreshToken },
    });
    const rows = await ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('actor_account_id', '=', org.owner.accountId)
      .orderBy('created_at')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(['auth.login_failed', 'auth.login', 'auth.logout']);
    expect(JSON.stringify(rows)).not.toContain('nope-nope-nope');
  });
});
