import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { useTestApp, TEST_SECRET } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, expiredTokenFor } from '../../helpers/factories.js';
import { me } from './helpers.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(DIALECTS)('access token checks on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('accepts a valid token and carries sub, org, sid, typ, iat, exp', async () => {
    const org = await createOrgFixture(ctx.app);
    const [, payload] = org.tech.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims).toEqual({
      sub: org.tech.accountId,
      org: org.orgId,
      sid: expect.any(String),
      typ: 'access',
      iat: expect.any(Number),
      exp: claims.iat + 3600,
    });
    expect((await me(ctx, org.tech.token)).statusCode).toBe(200);
  });

  it.each([
    ['alg none', async (t: string, claims: object) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    [
      'another algorithm (HS512 when HS256 is configured)',
      async (_t: string, claims: object) => createSigner({ key: TEST_SECRET, algorithm: 'HS512' })(claims),
    ],
    ['a bad signature', async (t: string) => `${t.split('.').slice(0, 2).join('.')}.${'x'.repeat(43)}`],
    [
      'another key',
      async (_t: string, claims: object) =>
        createSigner({ key: 'another-secret-another-secret-12345' })(claims),
    ],
    [
      'a wrong typ',
      async (_t: string, claims: object) => createSigner({ key: TEST_SECRET })({ ...claims, typ: 'refresh' }),
    ],
    [
      'a tampered payload',
      async (t: string, claims: object) => {
        const [h, , s] = t.split('.');
        return `${h}.${b64({ ...claims, org: crypto.randomUUID() })}.${s}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ])('refuses %s with 401', async (_name, forge) => {
    const org = await createOrgFixture(ctx.app);
    const [, payload] = org.owner.token.split('.');
    const { iat: _iat, exp: _exp, ...claims } = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const token = await forge(org.owner.token, claims);
    const res = await me(ctx, token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('refuses an expired token', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await me(ctx, await expiredTokenFor(ctx.app, org.tech.accountId, org.orgId));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthorized', detail: 'Invalid or expired access token' });
  });

  it('refuses a missing or malformed Authorization header', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer', 'Bearer a b']) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('refuses the token of a deactivated account at once', async () => {
    const org = await createOrgFixture(ctx.app);
    await ctx.app.database.db
      .updateTable('accounts')
      .set({ active: false })
      .where('id', '=', org.tech.accountId)
      .execute();
    expect((await me(ctx, org.tech.token)).statusCode).toBe(401);
  });

  it('reads the role from the membership on every request, not from the token', async () => {
    const org = await createOrgFixture(ctx.app);
    expect((await me(ctx, org.manager.token)).json().role).toBe('manager');
    await ctx.app.database.db
      .updateTable('org_memberships')
      .set({ role: 'tech' })
      .where('account_id', '=', org.manager.accountId)
      .execute();
    expect((await me(ctx, org.manager.token)).json().role).toBe('tech');
  });
});

describe('JWT_ALG allow-list', () => {
  const ctx = useTestApp('sqlite', { JWT_ALG: 'HS512' });
  it('signs with the configured algorithm and refuses HS256 then', async () => {
    const org = await createOrgFixture(ctx.app);
    const header = JSON.parse(Buffer.from(org.tech.token.split('.')[0]!, 'base64url').toString());
    expect(header.alg).toBe('HS512');
    expect((await me(ctx, org.tech.token)).statusCode).toBe(200);
    const [, payload] = org.tech.token.split('.');
    const { iat: _i, exp: _e, ...claims } = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const hs256 = createSigner({ key: TEST_SECRET, algorithm: 'HS256' })(claims);
    expect((await me(ctx, hs256)).statusCode).toBe(401);
  });
});
