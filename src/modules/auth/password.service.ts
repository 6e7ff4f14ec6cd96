import { recordAudit, type Actor } from '../../platform/audit.js';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../../platform/auth/passwords.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';
import { hashToken } from '../../platform/auth/secrets.js';
import { isoIn, MINUTE, newId } from '../../platform/clock.js';
import { asBool } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent } from '../../platform/events.js';
import { findAccountByEmail, findAccountById, setPasswordHash } from './accounts.repository.js';
import type { AuthDeps } from './auth.service.js';
import { claimResetToken, insertResetToken } from './reset-tokens.repository.js';
import { endAccountSessions } from './sessions.repository.js';

export const RESET_TOKEN_TTL_MS = 30 * MINUTE;

/**
 * Records a single-use, 30-minute reset when the email belongs to an active account; the notification
 * dispatcher mails the link (never this request, so the answer's timing tells nothing either). The token is
 * derived from the row id and the server secret: the database keeps its hash, the dispatcher recomputes it.
 * Returns the token only so the dev-mode response can carry it.
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  actor: Actor,
  email: string,
): Promise<string | null> {
  const account = await findAccountByEmail(deps.db, email);
  if (!account || !asBool(account.active)) return null;
  const resetId = newId();
  const token = derivedToken(deps.config.secretKey, 'password-reset', resetId);
  await deps.db.transaction().execute(async (tx) => {
    await insertResetToken(tx, account.id, hashToken(token), RESET_TOKEN_TTL_MS, resetId);
    const self = { ...actor, accountId: account.id };
    await recordAudit(tx, self, {
      orgId: null,
      action: 'auth.reset_requested',
      entityType: 'account',
      entityId: account.id,
    });
    await recordEvent(tx, self, {
      orgId: null,
      type: 'password_reset.requested',
      entityType: 'account',
      entityId: account.id,
      subjects: { account_ids: [account.id] },
      payload: { account_id: account.id, reset_id: resetId, expires_at: isoIn(RESET_TOKEN_TTL_MS) },
    });
  });
  return token;
}

/** Sets the new password, burns the token and ends every session of the account. */
export async function confirmPasswordReset(
  deps: AuthDeps,
  actor: Actor,
  token: string,
  newPassword: string,
): Promise<void> {
  assertAcceptablePassword(newPassword);
  const passwordHash = await hashPassword(newPassword);
  await deps.db.transaction().execute(async (tx) => {
    const accountId = await claimResetToken(tx, hashToken(token));
    if (!accountId)
      throw new AppError('invalid_token', 'The reset token is invalid, expired or already used');
    await setPasswordHash(tx, accountId, passwordHash);
    await endAccountSessions(tx, accountId);
    await recordAudit(
      tx,
      { ...actor, accountId },
      { orgId: null, action: 'auth.password_reset', entityType: 'account', entityId: accountId },
    );
  });
}

/** Changes the password of a logged-in account; its other sessions end, the caller's lives on. */
export async function changePassword(
  deps: AuthDeps,
  actor: Actor & { accountId: string; sessionId: string },
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const account = await findAccountById(deps.db, actor.accountId);
  if (!account || !(await verifyPassword(account.password_hash, currentPassword)).ok) {
    throw new AppError('wrong_password', 'current_password is not the account’s password');
  }
  assertAcceptablePassword(newPassword);
  const passwordHash = await hashPassword(newPassword);
  await deps.db.transaction().execute(async (tx) => {
    await setPasswordHash(tx, account.id, passwordHash);
    await endAccountSessions(tx, account.id, actor.sessionId);
    await recordAudit(tx, actor, {
      orgId: null,
      action: 'auth.password_changed',
      entityType: 'account',
      entityId: account.id,
    });
  });
}
