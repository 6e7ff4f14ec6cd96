import { addressOf, limited } from '../../platform/rate-limit.js';
import type { AuthDeps } from './auth.service.js';

/**
 * Password guessing is bounded without handing anyone a lock-out (OWASP Authentication Cheat Sheet): the budgets
 * that refuse outright are per address (all accounts) and per account *and* address, so an attacker spends their
 * own budget, not the owner's. The account-wide count of failures only matters beyond its cap, and then only for
 * addresses that already failed on this account: each new address gets one try, so the owner, who types the
 * right password from their own address, still gets in while the account is under attack (docs/security.md).
 */
const ACCOUNT_WINDOW_SECONDS = 15 * 60;

type Throttle = Pick<AuthDeps, 'limiter' | 'config'>;

/** Counted before the password is checked: a refused attempt costs no argon2id verification. */
export async function throttleLogin(deps: Throttle, ip: string, email: string): Promise<void> {
  const { authPerIp, authPerEmail, authPerAccount } = deps.config.rateLimits;
  const address = addressOf(ip);
  const account = email.toLowerCase();
  await deps.limiter.hit(`login:ip:${address}`, { max: authPerIp, windowSeconds: 60 });
  await deps.limiter.hit(`login:pair:${account}:${address}`, {
    max: authPerEmail,
    windowSeconds: ACCOUNT_WINDOW_SECONDS,
  });
  const failures = await deps.limiter.peek(`login:failed:${account}`);
  if (failures.count < authPerAccount) return;
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
