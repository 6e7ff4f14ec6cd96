import type { Actor } from '../../platform/audit.js';
import { trustedOrgId } from '../../platform/auth/org-scope.js';
import { burnVerification, verifyPassword } from '../../platform/auth/passwords.js';
import { hashToken } from '../../platform/auth/secrets.js';
import { isoNow } from '../../platform/clock.js';
import { asBool, type Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { findAccountByEmail } from '../auth/accounts.repository.js';
import type { AuthDeps } from '../auth/auth.service.js';
import { recordLoginFailure, throttleLogin } from '../auth/login-throttle.js';
import { confirmPasswordReset } from '../auth/password.service.js';
import { findLiveLink } from '../links/links.repository.js';
import { findOrgInvitationByHash } from '../members/members.repository.js';
import { acceptOrgInvitation } from '../members/members.service.js';
import { findOrg } from '../orgs/orgs.repository.js';
import {
  findInvitationPageRow,
  findOrgLanguage,
  isResetTokenLive,
  type InvitationPageRow,
} from './pages.repository.js';

export interface LiveInvitation {
  row: InvitationPageRow;
  expiresAt: string;
}

/** The assignment behind a live signed link, or null for an unknown, expired or revoked one (all alike). */
export async function findLiveInvitation(db: Db, token: string): Promise<LiveInvitation | null> {
  const link = await findLiveLink(db, hashToken(token), isoNow());
  if (!link) return null;
  const row = await findInvitationPageRow(db, trustedOrgId(link.org_id), link.assignment_id);
  return row ? { row, expiresAt: link.expires_at } : null;
}

export interface JoinState {
  orgName: string;
  timezone: string;
  language: string | null;
  email: string;
  role: string;
  /** an account exists for the invited email: the page asks for its password instead of a new one */
  hasAccount: boolean;
}

/** A pending org invitation as its page shows it, or null when it is unknown, expired or already used. */
export async function findPendingJoin(db: Db, token: string): Promise<JoinState | null> {
  const invitation = await findOrgInvitationByHash(db, hashToken(token));
  if (!invitation || invitation.accepted_at !== null || invitation.expires_at <= isoNow()) return null;
  const orgId = trustedOrgId(invitation.org_id);
  const org = await findOrg(db, orgId);
  if (!org) return null;
  return {
    orgName: org.name,
    timezone: org.timezone,
    language: await findOrgLanguage(db, orgId),
    email: invitation.email,
    role: invitation.role,
    hasAccount: (await findAccountByEmail(db, invitation.email)) !== undefined,
  };
}

/**
 * Joins from the page: with the password of the existing account for the invited email (checked like a login,
 * rate limited the same way), or with the password of a new one. The members service does the joining.
 */
export async function joinFromPage(
  deps: AuthDeps,
  actor: Actor,
  ip: string,
  token: string,
  password: string,
): Promise<void> {
  const join = await findPendingJoin(deps.db, token);
  if (!join) throw new AppError('invalid_token', 'The invitation is invalid, expired or already used');
  if (!join.hasAccount) {
    await acceptOrgInvitation(deps.db, actor, token, { accountId: null, password });
    return;
  }
  // Throttled like a login, and without its lock-out: an attacker's guesses spend their own budget.
  await throttleLogin(deps, ip, join.email, undefined);
  const account = await findAccountByEmail(deps.db, join.email);
  if (!account) {
    await burnVerification(password);
    await recordLoginFailure(deps, ip, join.email);
    throw new AppError('invalid_credentials', 'Invalid email or password');
  }
  const { ok } = await verifyPassword(account.password_hash, password);
  if (!ok || !asBool(account.active)) {
    await recordLoginFailure(deps, ip, join.email);
    throw new AppError('invalid_credentials', 'Invalid email or password');
  }
  await acceptOrgInvitation(deps.db, { ...actor, accountId: account.id }, token, { accountId: account.id });
}

export const isResetLinkLive = (db: Db, token: string) => isResetTokenLive(db, hashToken(token), isoNow());

/** The password service does the reset: burns the token, sets the password, ends every session. */
export function resetFromPage(deps: AuthDeps, actor: Actor, token: string, password: string): Promise<void> {
  return confirmPasswordReset(deps, actor, token, password);
}
