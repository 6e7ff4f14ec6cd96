import type { Config } from '../../config.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import type { AccessTokens } from '../../platform/auth/jwt.js';
import { burnVerification, hashPassword, verifyPassword } from '../../platform/auth/passwords.js';
import { hashToken, randomToken } from '../../platform/auth/secrets.js';
import type { AccountOrgs, SessionCache } from '../../platform/auth/session-cache.js';
import { DAY, isoIn, isoNow } from '../../platform/clock.js';
import { asBool, type Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { addressOf, type RateLimiter } from '../../platform/rate-limit.js';
import {
  findAccountByEmail,
  findAccountWithOrgs,
  findMembershipRole,
  listMemberships,
  setPasswordHash,
} from './accounts.repository.js';
import {
  claimRefreshToken,
  endSession,
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  retireRefreshTokens,
  updateSession,
} from './sessions.repository.js';

export interface AuthDeps {
  db: Db;
  config: Config;
  tokens: AccessTokens;
  limiter: RateLimiter;
}

export interface IssuedTokens {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  org_id: string | null;
  /** goes to the httpOnly cookie, never into a body */
  refreshToken: string;
}

/**
 * Two refreshes with one token inside this window (a browser with several tabs) are a race, not a theft: the
 * loser gets 409 and the session lives on. Outside it, a rotated token coming back revokes the session.
 */
export const REFRESH_RACE_WINDOW_MS = 10_000;

const BAD_CREDENTIALS = () => new AppError('invalid_credentials', 'Invalid email or password');
const BAD_REFRESH = () => new AppError('unauthorized', 'Invalid or expired refresh token');

export async function throttleAuth(deps: AuthDeps, action: string, ip: string, email: string): Promise<void> {
  const { authPerIp, authPerEmail } = deps.config.rateLimits;
  await deps.limiter.hit(`${action}:ip:${addressOf(ip)}`, { max: authPerIp, windowSeconds: 60 });
  await deps.limiter.hit(`${action}:email:${email.toLowerCase()}`, {
    max: authPerEmail,
    windowSeconds: 15 * 60,
  });
}

/** Unknown email, wrong password and deactivated account all cost one argon2id verification and read alike. */
export async function login(
  deps: AuthDeps,
  actor: Actor,
  input: { email: string; password: string; org_id?: string | undefined },
): Promise<IssuedTokens> {
  const { db } = deps;
  const account = await findAccountByEmail(db, input.email);
  if (!account) {
    await burnVerification(input.password);
    await recordAudit(db, actor, {
      orgId: null,
      action: 'auth.login_failed',
      entityType: 'account',
      entityId: null,
      after: { email: input.email.toLowerCase() },
    });
    throw BAD_CREDENTIALS();
  }
  const { ok, rehash } = await verifyPassword(account.password_hash, input.password);
  if (!ok || !asBool(account.active)) {
    await recordAudit(
      db,
      { ...actor, accountId: account.id },
      { orgId: null, action: 'auth.login_failed', entityType: 'account', entityId: account.id },
    );
    throw BAD_CREDENTIALS();
  }
  if (rehash) await setPasswordHash(db, account.id, await hashPassword(input.password));

  let orgId: string | null = null;
  if (input.org_id) {
    if (!(await findMembershipRole(db, account.id, input.org_id))) {
      throw new AppError('forbidden', 'The account is not a member of this org');
    }
    orgId = input.org_id;
  } else {
    orgId = (await listMemberships(db, account.id))[0]?.org_id ?? null;
  }

  const loggedIn = { ...actor, accountId: account.id };
  return db.transaction().execute(async (tx) => {
    const refreshExpiry = isoIn(deps.config.refreshTokenDays * DAY);
    const session = await insertSession(tx, account.id, orgId, refreshExpiry);
    const refreshToken = randomToken();
    await insertRefreshToken(tx, session.id, hashToken(refreshToken), refreshExpiry);
    await recordAudit(tx, loggedIn, {
      orgId,
      action: 'auth.login',
      entityType: 'session',
      entityId: session.id,
    });
    return issue(deps, account.id, orgId, session.id, refreshToken);
  });
}

/** Rotates the refresh token: the presented one dies, a new one is born, the session slides forward. */
export async function refresh(
  deps: AuthDeps,
  actor: Actor,
  presented: string | undefined,
): Promise<IssuedTokens> {
  if (!presented) throw BAD_REFRESH();
  const { db } = deps;
  const token = await findRefreshToken(db, hashToken(presented));
  if (!token || token.ended_at !== null || token.expires_at <= isoNow()) throw BAD_REFRESH();

  const issued = token.rotated_at === null ? await rotateRefreshToken(deps, token) : null;
  if (!issued) {
    const rotatedAt = token.rotated_at ?? isoNow();
    if (Date.now() - Date.parse(rotatedAt) < REFRESH_RACE_WINDOW_MS) {
      throw new AppError(
        'refresh_in_progress',
        'This refresh token was rotated moments ago by a concurrent request: retry with the current cookie',
      );
    }
    await db.transaction().execute(async (tx) => {
      await endSession(tx, token.session_id);
      await recordAudit(
        tx,
        { ...actor, accountId: token.account_id },
        {
          orgId: token.org_id,
          action: 'auth.refresh_reuse',
          entityType: 'session',
          entityId: token.session_id,
        },
      );
    });
    throw new AppError('unauthorized', 'Refresh token reuse detected: the session is revoked, log in again');
  }
  return issued;
}

/**
 * Claims the presented token and stores its successor in one transaction: a failure between the two (a lost
 * connection, a timeout) leaves the presented token valid, so the session is neither stranded nor revoked. Null
 * when a concurrent refresh claimed it first (on PostgreSQL the claim waits for that one to commit).
 */
async function rotateRefreshToken(
  deps: AuthDeps,
  token: NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>,
): Promise<IssuedTokens | null> {
  return deps.db.transaction().execute(async (tx) => {
    if (!(await claimRefreshToken(tx, token.id))) return null;
    const refreshExpiry = isoIn(deps.config.refreshTokenDays * DAY);
    const next = randomToken();
    await insertRefreshToken(tx, token.session_id, hashToken(next), refreshExpiry, token.id);
    await updateSession(tx, token.session_id, { expires_at: refreshExpiry });
    // A membership may have ended since login: fall back to no org rather than a dead one.
    const orgId =
      token.org_id && (await findMembershipRole(tx, token.account_id, token.org_id)) ? token.org_id : null;
    if (orgId !== token.org_id) await updateSession(tx, token.session_id, { org_id: orgId });
    return issue(deps, token.account_id, orgId, token.session_id, next);
  });
}

/** Ends the session of the refresh cookie or of the access token, whichever is given; idempotent. */
export async function logout(
  deps: AuthDeps,
  actor: Actor,
  from: { refreshToken?: string | undefined; sessionId?: string | undefined },
): Promise<void> {
  const { db } = deps;
  let sessionId = from.sessionId;
  let orgId: string | null = null;
  if (!sessionId && from.refreshToken) {
    const token = await findRefreshToken(db, hashToken(from.refreshToken));
    sessionId = token?.session_id;
    orgId = token?.org_id ?? null;
    if (token) actor = { ...actor, accountId: token.account_id };
  }
  if (!sessionId) return;
  await db.transaction().execute(async (tx) => {
    await endSession(tx, sessionId);
    await recordAudit(tx, actor, {
      orgId,
      action: 'auth.logout',
      entityType: 'session',
      entityId: sessionId,
    });
  });
}

/** A new access token (and refresh token) for another of the account's orgs, in the same session. */
export async function switchOrg(
  deps: AuthDeps,
  actor: Actor & { accountId: string; sessionId: string },
  orgId: string,
): Promise<IssuedTokens> {
  const { db } = deps;
  if (!(await findMembershipRole(db, actor.accountId, orgId))) {
    throw new AppError('forbidden', 'The account is not a member of this org');
  }
  return db.transaction().execute(async (tx) => {
    await updateSession(tx, actor.sessionId, { org_id: orgId });
    await retireRefreshTokens(tx, actor.sessionId);
    const next = randomToken();
    await insertRefreshToken(tx, actor.sessionId, hashToken(next), isoIn(deps.config.refreshTokenDays * DAY));
    await recordAudit(tx, actor, {
      orgId,
      action: 'auth.switch_org',
      entityType: 'session',
      entityId: actor.sessionId,
    });
    return issue(deps, actor.accountId, orgId, actor.sessionId, next);
  });
}

function issue(
  deps: AuthDeps,
  accountId: string,
  orgId: string | null,
  sessionId: string,
  refreshToken: string,
): IssuedTokens {
  const { token, expiresIn } = deps.tokens.sign({ sub: accountId, org: orgId, sid: sessionId });
  return { access_token: token, token_type: 'bearer', expires_in: expiresIn, org_id: orgId, refreshToken };
}

/**
 * The account's email and orgs for `/auth/me`, from the session cache while it holds them (it is emptied by every
 * change to memberships and org names, session-cache.ts), else by one query.
 */
export async function accountOrgs(cache: SessionCache, db: Db, accountId: string): Promise<AccountOrgs> {
  const cached = cache.lookupAccount(accountId);
  if (typeof cached === 'object' && cached !== null) return cached;
  const rows = await findAccountWithOrgs(db, accountId);
  const value: AccountOrgs = {
    email: rows[0]!.email,
    orgs: rows.flatMap(({ org_id, name, role }) => (org_id && name && role ? [{ org_id, name, role }] : [])),
  };
  cache.storeAccount(cached, accountId, value);
  return value;
}
