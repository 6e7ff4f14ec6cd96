import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { useTestApp, testConfig } from '../../helpers/app.js';
import { migratedDatabase } from '../../helpers/database.js';
import { createAccount, PASSWORD, uniqueEmail } from '../../helpers/factories.js';
import { REDIS_URL, redisAnswers } from '../../helpers/redis.js';

const redisReachable = await redisAnswers();

describe('login rate limits (in memory)', () => {
  const ctx = useTestApp('sqlite', {
    AUTH_RATE_LIMIT_PER_IP: '5',
    AUTH_RATE_LIMIT_PER_EMAIL: '3',
    AUTH_RATE_LIMIT_PER_ACCOUNT: '4',
  });
  const login = (email: string, password: string, ip = '203.0.113.1') =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('limits one address on one account, with 429 and Retry-After, and the owner elsewhere still logs in', async () => {
    const account = await createAccount(ctx.app);
    const attacker = '198.51.100.7';
    for (let i = 0; i < 3; i++)
      expect((await login(account.email, 'wrong-password', attacker)).statusCode).toBe(401);
    // Even the right password from the attacker's address is refused: guessing from it is over for 15 minutes.
    const blocked = await login(account.email.toUpperCase(), PASSWORD, attacker);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    const owner = await login(account.email, PASSWORD, '203.0.113.50');
    expect(owner.statusCode).toBe(200);
    expect(owner.json()).toMatchObject({ token_type: 'bearer' });
  });

  it('an account under a distributed attack refuses addresses that failed, never its owner', async () => {
    const account = await createAccount(ctx.app);
    // Four attackers, one guess each: the account-wide cap (4 failures) is reached.
    for (let i = 1; i <= 4; i++)
      expect((await login(account.email, 'wrong-password', `198.51.101.${i}`)).statusCode).toBe(401);
    const again = await login(account.email, 'wrong-password', '198.51.101.1');
    expect(again.statusCode).toBe(429);
    expect(again.json()).toMatchObject({ code: 'rate_limited' });
    // A new address gets one try, then joins the refused ones: guessing costs the attacker one address per guess.
    expect((await login(account.email, 'wrong-password', '198.51.101.9')).statusCode).toBe(401);
    expect((await login(account.email, 'wrong-password', '198.51.101.9')).statusCode).toBe(429);
    // The owner, from an address that never failed, gets in while the attack goes on.
    const owner = await login(account.email, PASSWORD, '203.0.113.60');
    expect(owner.statusCode).toBe(200);
    expect(owner.json()).toMatchObject({ token_type: 'bearer' });
  });

  it('counts an IPv6 /64 as one address', async () => {
    const account = await createAccount(ctx.app);
    for (let i = 1; i <= 3; i++)
      expect((await login(account.email, 'wrong-password', `2001:db8:5:7::${i}`)).statusCode).toBe(401);
    const blocked = await login(account.email, 'wrong-password', '2001:db8:5:7:ffff::9');
    expect(blocked.statusCode).toBe(429);
    expect((await login(account.email, PASSWORD, '2001:db8:5:8::1')).statusCode).toBe(200);
  });

  it('limits attempts per IP, across emails', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 5; i++)
      expect((await login(uniqueEmail(), 'whatever-pass', ip)).statusCode).toBe(401);
    const blocked = await login(uniqueEmail(), 'whatever-pass', ip);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await login(uniqueEmail(), 'whatever-pass', '192.0.2.78')).statusCode).toBe(401);
  });

  it('limits reset requests too', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/reset/request',
        payload: { email },
        remoteAddress: `10.9.8.${i}`,
      });
      expect(res.statusCode).toBe(200);
    }
    const blocked = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset/request',
      payload: { email },
      remoteAddress: '10.9.8.200',
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
  });
});

describe('login device cookies', () => {
  const ctx = useTestApp('sqlite', { AUTH_RATE_LIMIT_PER_ACCOUNT: '4' });
  const login = (email: string, password: string, ip: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('a browser that logged in before is never refused by the account-wide count, even after a typo', async () => {
    const account = await createAccount(ctx.app);
    const home = '203.0.113.70';
    const first = await login(account.email, PASSWORD, home);
    expect(first.statusCode).toBe(200);
    const device = first.cookies.find((c) => c.name === 'login_device');
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/login' });
    const fromHome = (password: string, cookie = device!.value) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: account.email, password },
        remoteAddress: home,
        cookies: { login_device: cookie },
      });
    for (let i = 1; i <= 4; i++)
      expect((await login(account.email, 'wrong-password', `198.51.102.${i}`)).statusCode).toBe(401);
    // The owner's typo at home, during the attack: a failure from this address...
    expect((await fromHome('wrong-password')).statusCode).toBe(401);
    // ...refuses the address to browsers it does not know, a forged or another account's cookie included...
    expect((await login(account.email, PASSWORD, home)).statusCode).toBe(429);
    const other = await login((await createAccount(ctx.app)).email, PASSWORD, '203.0.113.71');
    const foreign = other.cookies.find((c) => c.name === 'login_device')!.value;
    expect((await fromHome(PASSWORD, foreign)).statusCode).toBe(429);
    expect((await fromHome(PASSWORD, `${device!.value}x`)).statusCode).toBe(429);
    // ...but not to the owner's own browser.
    const back = await fromHome(PASSWORD);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ token_type: 'bearer' });
  });
});

describe.runIf(redisReachable)('login rate limits shared through Redis', () => {
  const prefixEmail = `${randomUUID().slice(0, 8)}@example.com`;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(() => cleanup?.());

  it('two instances count against one budget', async () => {
    const test = await migratedDatabase('sqlite');
    const config = testConfig({
      REDIS_URL,
      AUTH_RATE_LIMIT_PER_EMAIL: '4',
      DATABASE_URL: `sqlite:///${(test.config as { filename: string }).filename}`,
    });
    const one = await buildApp(config, { database: test.database });
    const two = await buildApp(config, { database: test.database });
    cleanup = async () => {
      await one.close();
      await two.close();
      await test.drop();
    };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? one : two;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: prefixEmail, password: 'whatever-pass' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
