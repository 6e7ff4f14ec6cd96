import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { loginAs, refreshWith } from './helpers.js';

describe('refresh cookie in prod', () => {
  const ctx = useTestApp('sqlite', { APP_ENV: 'prod', REFRESH_TOKEN_DAYS: '7' });
  it('is Secure, HttpOnly, SameSite=Lax, scoped to the auth routes, with Max-Age from REFRESH_TOKEN_DAYS', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.tech.email, password: 'Correct-Horse-Battery-9' },
    });
    expect(res.statusCode).toBe(200);
    const header = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('refresh_token='));
    expect(header).toMatch(
      /^refresh_token=[\w-]{43}; Max-Age=604800; Path=\/api\/v1\/auth; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});

describe.each(DIALECTS)('cross-site refusal on %s', (dialect) => {
  const ctx = useTestApp(dialect, { CORS_ALLOW_ORIGINS: 'https://app.example.com' });

  it('dev cookies are not Secure', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.tech.email, password: 'Correct-Horse-Battery-9' },
    });
    expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it.each([
    ['an Origin not in CORS_ALLOW_ORIGINS', { origin: 'https://evil.example.net' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('refresh, logout and switch-org answer 403 to %s', async (_name, headers) => {
    const org = await createOrgFixture(ctx.app);
    const { refreshToken, accessToken } = await loginAs(ctx, org.tech.email);
    for (const url of ['/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/auth/switch-org']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, authorization: `Bearer ${accessToken}` },
        cookies: { refresh_token: refreshToken },
        payload: { org_id: org.orgId },
      });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({ code: 'cross_site_request' });
    }
    // nothing happened: the cookie still refreshes
    expect((await refreshWith(ctx, refreshToken)).statusCode).toBe(200);
  });

  it('accepts an allowed Origin, the public base URL, and requests without Origin', async () => {
    const org = await createOrgFixture(ctx.app);
    let { refreshToken } = await loginAs(ctx, org.tech.email);
    const variants: Record<string, string>[] = [
      { origin: 'https://app.example.com', 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:8000' },
      {},
    ];
    for (const headers of variants) {
      const res = await refreshWith(ctx, refreshToken, headers);
      expect(res.statusCode).toBe(200);
      refreshToken = res.cookies.find((c) => c.name === 'refresh_token')!.value;
    }
  });
});
