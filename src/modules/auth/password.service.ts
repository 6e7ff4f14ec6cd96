import { recordAudit, type Actor } from '../../platform/audit.js';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../../platform/auth/passwords.js';
import { hashToken, randomToken } from '../../platform/auth/secrets.js';
import { MINUTE } from '../../platform/clock.js';
import { asBool } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail.js';
import { findAccountByEmail, findAccountById, setPasswordHash } from './accounts.repository.js';
import type { AuthDeps } from './auth.service.js';
import { claimResetToken, insertResetToken } from './reset-tokens.repository.js';
import { endAccountSessions } from './sessions.repository.js';

export const RESET_TOKEN_TTL_MS = 30 * MINUTE;

/**
 * Sends a single-use, 30-minute reset link when the email belongs to an active account. The answer is the same
 * either way; the mail leaves in the background so its latency does not tell either. Returns the token only so
 * the dev-mode response can carry it.
 */
export async function requestPasswordReset(
  deps: AuthDeps & { mailer: Mailer; onMailError: (error: unknown) => void },
  actor: Actor,
  email: string,
): Promise<string | null> {
  const account = await findAccountByEmail(deps.db, email);
  if (!account || !asBool(account.active)) return null;
  const token = randomToken();
  await deps.db.transaction().execute(async (tx) => {
    await insertResetToken(tx, account.id, hashToken(token), RESET_TOKEN_TTL_MS);
    await recordAudit(
      tx,
      { ...actor, accountId: account.id },
      { orgId: null, action: 'auth.reset_requested', entityType: 'account', entityId: account.id },
    );
  });
  const link = `${deps.config.publicBaseUrl}/reset-password?token=${encodeURIComponent(token)}`;
  deps.mailer
    .send({
      to: account.email,
      subject: 'Reset your Coulisses Crew password',
      text: `Someone asked to reset the password of this account.\n\nTo choose a new password, open:\n${link}\n\nThe link works once, for 30 minutes. If you did not ask, ignore this mail.\n`,
    })
    .catch(deps.onMailError);
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
