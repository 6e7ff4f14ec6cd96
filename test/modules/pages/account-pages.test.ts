import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createAccount, createOrgFixture, PASSWORD, uniqueEmail } from '../../helpers/factories.js';
import { formTokenOf } from './fixtures.js';

const BASE_URL = 'https://crew.example.com';
const SAME_ORIGIN = { origin: BASE_URL, 'sec-fetch-site': 'same-origin' };
const NEW_PASSWORD = 'Rideau-Rouge-Lointain-42';

describe.each(DIALECTS)('join and reset pages on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev', PUBLIC_BASE_URL: BASE_URL });
  const get = (url: string) => ctx.app.inject({ method: 'GET', url });
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = SAME_ORIGIN) =>
    ctx.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(fields).toString(),
    });
  const login = (email: string, password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  const invite = async (email: string) => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/members`,
      headers: org.admin.headers,
      payload: { email, role: 'tech' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { org, path: `/join?token=${res.json().token as string}` };
  };

  it('joins with a new account: choose a password, then log in with it', async () => {
    const email = uniqueEmail('new');
    const { org, path } = await invite(email);
    const page = await get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain(`Rejoindre ${org.name}`);
    expect(page.body).toContain(email);
    expect(page.body).toContain('name="password_confirm"');
    expect(page.body).toContain('avec le rôle équipe technique.');
    const formToken = formTokenOf(page.body);

    const mismatch = await post(path, {
      form_token: formToken,
      password: NEW_PASSWORD,
      password_confirm: 'other',
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('Les deux mots de passe diffèrent.');
    const weak = await post(path, {
      form_token: formToken,
      password: 'password',
      password_confirm: 'password',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('role="alert"');

    const done = await post(path, {
      form_token: formToken,
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain(`Vous êtes maintenant membre de ${org.name}.`);
    const loggedIn = await login(email, NEW_PASSWORD);
    expect(loggedIn.statusCode, loggedIn.body).toBe(200);
    expect(loggedIn.json().org_id).toBe(org.orgId);
    // The invitation is used: its page is now the clear dead-link page.
    const used = await get(path);
    expect(used.statusCode).toBe(404);
    expect(used.body).toContain('invalid, expired or already used');
  });

  it('joins with an existing account: its password, not a new one; a wrong one is refused', async () => {
    const account = await createAccount(ctx.app);
    const { org, path } = await invite(account.email);
    const page = await get(`${path}&lang=en`);
    expect(page.body).toContain('An account exists for this email');
    expect(page.body).not.toContain('name="password_confirm"');
    const formToken = formTokenOf(page.body);
    const wrong = await post(`${path}&lang=en`, { form_token: formToken, password: 'Not-The-Password-1' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong password.');
    const done = await post(`${path}&lang=en`, { form_token: formToken, password: PASSWORD });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain(`You are now a member of ${org.name}.`);
    const members = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/members`,
      headers: org.manager.headers,
    });
    expect((members.json().items as { account_id: string }[]).map((m) => m.account_id)).toContain(account.id);
  });

  it('refuses a cross-site join post, and shows a dead page for a missing or unknown token', async () => {
    const { path } = await invite(uniqueEmail());
    const formToken = formTokenOf((await get(path)).body);
    const evil = await post(
      path,
      { form_token: formToken, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const url of ['/join', '/join?token=unknown-unknown-unknown-0', '/reset-password?token=abc']) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('resets a password from the page; the link then works no more', async () => {
    const account = await createAccount(ctx.app);
    const requested = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset/request',
      payload: { email: account.email },
    });
    expect(requested.statusCode, requested.body).toBe(200);
    const path = `/reset-password?token=${requested.json().reset_token as string}`;
    const page = await get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Choose a new password');
    const formToken = formTokenOf(page.body);
    const mismatch = await post(path, {
      form_token: formToken,
      password: NEW_PASSWORD,
      password_confirm: 'x',
    });
    expect(mismatch.statusCode).toBe(400);
    const done = await post(path, {
      form_token: formToken,
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain('Your password is changed.');
    expect((await login(account.email, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await login(account.email, PASSWORD)).statusCode).toBe(401);
    const again = await get(path);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('This reset link is invalid, expired or already used.');
  });
});
