import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createAccount, createOrgFixture, PASSWORD } from '../../helpers/factories.js';
import { loginAs, me, refreshWith } from './helpers.js';

const outbox = join(tmpdir(), `crew-outbox-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(outbox, { recursive: true, force: true }));

const mailsTo = (email: string) => {
  let files: string[] = [];
  try {
    files = readdirSync(outbox);
  } catch {
    return [];
  }
  // the outbox keeps mails as sent: quoted-printable bodies
  const decode = (mail: string) =>
    mail
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return files
    .map((f) => decode(readFileSync(join(outbox, f), 'utf8')))
    .filter((m) => m.includes(`To: ${email}`));
};
const waitForMail = async (email: string) => {
  for (let i = 0; i < 50 && mailsTo(email).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  return mailsTo(email);
};

describe.each(DIALECTS)('password reset on %s (dev)', (dialect) => {
  const ctx = useTestApp(dialect, {
    APP_ENV: 'dev',
    OUTBOX_DIR: outbox,
    PUBLIC_BASE_URL: 'https://crew.example.com',
  });
  const request = (email: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/reset/request', payload: { email } });
  const confirm = (token: string, new_password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/reset/confirm', payload: { token, new_password } });

  it('answers 200 alike for unknown emails, without a token', async () => {
    const res = await request('nobody-here@example.com');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('gives the token in dev, mails a link built from PUBLIC_BASE_URL, is single use and ends every session', async () => {
    const org = await createOrgFixture(ctx.app);
    const session = await loginAs(ctx, org.tech.email);
    const res = await request(org.tech.email.toUpperCase());
    expect(res.statusCode).toBe(200);
    const token = res.json().reset_token as string;
    expect(res.json()).toEqual({ status: 'ok', reset_token: expect.stringMatching(/^[\w-]{43}$/) });
    expect(mailsTo(org.tech.email)).toEqual([]); // the request only records the event
    await ctx.app.notifications.tick();
    const [mail] = await waitForMail(org.tech.email);
    expect(mail).toContain(`https://crew.example.com/reset-password?token=${token}`);
    const stored = await ctx.app.database.db
      .selectFrom('password_reset_tokens')
      .select('token_hash')
      .execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(token);

    const done = await confirm(token, 'A-brand-new-passphrase');
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ status: 'ok' });
    expect((await me(ctx, session.accessToken)).statusCode).toBe(401);
    expect((await refreshWith(ctx, session.refreshToken)).statusCode).toBe(401);
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.tech.email, password: 'A-brand-new-passphrase' },
    });
    expect(login.statusCode).toBe(200);

    const again = await confirm(token, 'Yet-another-passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'invalid_token' });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', org.tech.accountId)
      .where('action', 'like', 'auth.%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.reset_requested', 'auth.password_reset']),
    );
  });

  it('refuses an expired or made-up token, and a weak new password', async () => {
    const account = await createAccount(ctx.app);
    const token = (await request(account.email)).json().reset_token;
    expect((await confirm('made-up-token', 'A-brand-new-passphrase')).json()).toMatchObject({
      status: 400,
      code: 'invalid_token',
    });
    const weak = await confirm(token, 'password123');
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({
      code: 'validation_failed',
      detail: expect.stringMatching(/most common/),
    });
    const short = await confirm(token, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ path: '/new_password' })],
    });
    await ctx.app.database.db
      .updateTable('password_reset_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    expect((await confirm(token, 'A-brand-new-passphrase')).json()).toMatchObject({
      status: 400,
      code: 'invalid_token',
    });
  });

  it('changes the password with the current one, ending the other sessions only', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await loginAs(ctx, org.admin.email);
    const mine = await loginAs(ctx, org.admin.email);
    const change = (current_password: string, new_password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { authorization: `Bearer ${mine.accessToken}` },
        payload: { current_password, new_password },
      });
    const wrong = await change('not-my-password', 'A-brand-new-passphrase');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'wrong_password' });
    const ok = await change(PASSWORD, 'A-brand-new-passphrase');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok' });
    expect((await me(ctx, mine.accessToken)).statusCode).toBe(200);
    expect((await me(ctx, other.accessToken)).statusCode).toBe(401);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password',
          payload: { current_password: 'x', new_password: 'y'.repeat(10) },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('accepts long passwords and never truncates them', async () => {
    const org = await createOrgFixture(ctx.app);
    const long = 'L'.repeat(199) + '1';
    const token = (await request(org.tech.email)).json().reset_token;
    expect((await confirm(token, long)).statusCode).toBe(200);
    const login = (password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: org.tech.email, password },
      });
    expect((await login(long)).statusCode).toBe(200);
    expect((await login('L'.repeat(199) + '2')).statusCode).toBe(401);
    expect((await login('L'.repeat(199))).statusCode).toBe(401);
  });

  it('accepts a bcrypt hash from the Python version and upgrades it to argon2id on login', async () => {
    const account = await createAccount(ctx.app);
    await ctx.app.database.db
      .updateTable('accounts')
      .set({ password_hash: bcrypt.hashSync('Legacy-password-42', 10) })
      .where('id', '=', account.id)
      .execute();
    const login = (password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: account.email, password },
      });
    expect((await login('Wrong-password-42')).statusCode).toBe(401);
    expect((await login('Legacy-password-42')).statusCode).toBe(200);
    const { password_hash } = await ctx.app.database.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login('Legacy-password-42')).statusCode).toBe(200);
  });
});

describe('password reset in prod', () => {
  const ctx = useTestApp('sqlite', { APP_ENV: 'prod', OUTBOX_DIR: outbox });
  it('never puts the token in the response, only in the mail', async () => {
    const account = await createAccount(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset/request',
      payload: { email: account.email },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await ctx.app.notifications.tick();
    const [mail] = await waitForMail(account.email);
    expect(mail).toMatch(/reset-password\?token=[\w-]{43}/);
  });
});
