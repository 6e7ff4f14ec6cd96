import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/database.js';
import { useTestApp } from '../../helpers/app.js';
import { bearer, createAccount, createOrgFixture, PASSWORD, uniqueEmail } from '../../helpers/factories.js';

const ACCESS_JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe.each(DIALECTS)('login on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const login = (payload: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, headers });

  it('returns an access token for the oldest membership and sets the refresh cookie', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await login({ email: org.manager.email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      access_token: expect.stringMatching(ACCESS_JWT),
      token_type: 'bearer',
      expires_in: 3600,
      org_id: org.orgId,
    });
    const cookie = res.cookies.find((c) => c.name === 'refresh_token')!;
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/api/v1/auth',
      maxAge: 14 * 86400,
    });
    expect(cookie.secure).toBeFalsy();
    expect(cookie.value).toMatch(/^[\w-]{43}$/);

    const me = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(res.json().access_token),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      id: org.manager.accountId,
      email: org.manager.email,
      org_id: org.orgId,
      role: 'manager',
      orgs: [{ org_id: org.orgId, name: org.name, role: 'manager' }],
    });
  });

  it('answers unknown email, wrong password and deactivated account with the same 401', async () => {
    const account = await createAccount(ctx.app);
    const inactive = await createAccount(ctx.app);
    await ctx.app.database.db
      .updateTable('accounts')
      .set({ active: false })
      .where('id', '=', inactive.id)
      .execute();
    const bodies = [];
    for (const attempt of [
      { email: uniqueEmail(), password: PASSWORD },
      { email: account.email, password: 'wrong-password-1' },
      { email: inactive.email, password: PASSWORD },
    ]) {
      const res = await login(attempt);
      expect(res.statusCode).toBe(401);
      const { request_id: _, ...body } = res.json();
      bodies.push(body);
    }
    expect(bodies[0]).toEqual({
      type: 'urn:coulisses-crew:problem:invalid_credentials',
      title: 'Unauthorized',
      status: 401,
      detail: 'Invalid email or password',
      code: 'invalid_credentials',
    });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });
});
