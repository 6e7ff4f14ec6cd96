import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import { safeEqual } from '../../platform/auth/secrets.js';
import { addressOf, limited } from '../../platform/rate-limit.js';
import type { AuthDeps } from './auth.service.js';

/**
 * Password guessing is bounded without handing anyone a lock-out (OWASP Authentication Cheat Sheet): the budgets
 * that refuse outright are per address (all accounts) and per account *and* address, so an attacker spends their
 * own budget, not the owner's. The account-wide count of failures only matters beyond its cap, and then only for
 * addresses that already failed on this account: each new address gets one try, so the owner, who types the
 * right password from their own address, still gets in while the account is under attack (docs/security.md).
 * A browser that logged in to the account before carries a device cookie (OWASP's "device cookies"): it is never
 * refused by the account-wide count, even from an address that failed (the owner's own typo).
 */
const ACCOUNT_WINDOW_SECONDS = 15 * 60;

type Throttle = Pick<AuthDeps, 'limiter' | 'config'>;

/** Counted before the password is checked: a refused attempt costs no argon2id verification. */
export async function throttleLogin(
  deps: Throttle,
  ip: string,
  email: string,
  deviceCookie: string | undefined,
): Promise<void> {
  const { authPerIp, authPerEmail, authPerAccount } = deps.config.rateLimits;
  const address = addressOf(ip);
  const account = email.toLowerCase();
  await deps.limiter.hit(`login:ip:${address}`, { max: authPerIp, windowSeconds: 60 });
  await deps.limiter.hit(`login:pair:${account}:${address}`, {
    max: authPerEmail,
    windowSeconds: ACCOUNT_WINDOW_SECONDS,
  });
  const failures = await deps.limiter.peek(`login:failed:${account}`);
  if (failures.count < authPerAccount || isKnownDevice(deps.config, account, deviceCookie)) return;
  const fromHere = await deps.limiter.peek(`login:failed:${account}:${address}`);
  if (fromHere.count > 0) throw limited(fromHere.resetInSeconds || failures.resetInSeconds);
}

/** A wrong password (or an unknown email, which must read alike) counts against the account and the address. */
export async function recordLoginFailure(deps: Throttle, ip: string, email: string): Promise<void> {
  const address = addressOf(ip);
  const account = email.toLowerCase();
  await deps.limiter.count(`login:failed:${account}`, ACCOUNT_WINDOW_SECONDS);
  await deps.limiter.count(`login:failed:${account}:${address}`, ACCOUNT_WINDOW_SECONDS);
}

export const DEVICE_COOKIE = 'login_device';
const DEVICE_COOKIE_DAYS = 180;

function deviceMac(config: Config, account: string, nonce: string): string {
  return createHmac('sha256', config.secretKey)
    .update(`login-device\u0000${account}\u0000${nonce}`)
    .digest('base64url');
}

/** Whether the cookie was issued by this server to a browser that logged in to `account` (constant-time). */
function isKnownDevice(config: Config, account: string, cookie: string | undefined): boolean {
  const [nonce, mac, extra] = cookie?.split('.') ?? [];
  if (!nonce || !mac || extra !== undefined) return false;
  return safeEqual(deviceMac(config, account, nonce), mac);
}

/** After a successful login: this browser is now a known device of the account. Holds no secret of the account. */
export function setDeviceCookie(reply: FastifyReply, config: Config, email: string): void {
  const nonce = randomBytes(12).toString('base64url');
  reply.setCookie(DEVICE_COOKIE, `${nonce}.${deviceMac(config, email.toLowerCase(), nonce)}`, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/api/v1/auth/login',
    secure: config.appEnv === 'prod',
    maxAge: DEVICE_COOKIE_DAYS * 24 * 3600,
  });
}
