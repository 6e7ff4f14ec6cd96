import { isoIn, isoNow, newId } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';

/** Stores a reset token, by its hash only, valid `ttlMs` from now. */
export async function insertResetToken(
  db: Executor,
  accountId: string,
  tokenHash: string,
  ttlMs: number,
  id: string = newId(),
): Promise<void> {
  await db
    .insertInto('password_reset_tokens')
    .values({
      id,
      account_id: accountId,
      token_hash: tokenHash,
      created_at: isoNow(),
      expires_at: isoIn(ttlMs),
      used_at: null,
    })
    .execute();
}

/**
 * Burns the live (unused, unexpired) token with this hash in one statement, so two confirmations of one token
 * cannot both pass; returns its account, or undefined when there is no such live token.
 */
export async function claimResetToken(db: Executor, tokenHash: string): Promise<string | undefined> {
  const now = isoNow();
  const claimed = await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('account_id')
    .executeTakeFirst();
  return claimed?.account_id;
}
