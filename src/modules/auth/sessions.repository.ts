import { isoNow, newId } from '../../platform/clock.js';
import { signalSessionChange } from '../../platform/auth/session-signal.js';
import type { Executor } from '../../platform/db/database.js';

export async function insertSession(
  db: Executor,
  accountId: string,
  orgId: string | null,
  expiresAt: string,
) {
  const session = {
    id: newId(),
    account_id: accountId,
    org_id: orgId,
    created_at: isoNow(),
    expires_at: expiresAt,
    ended_at: null,
  };
  await db.insertInto('auth_sessions').values(session).execute();
  return session;
}

export async function insertRefreshToken(
  db: Executor,
  sessionId: string,
  tokenHash: string,
  expiresAt: string,
  parentId: string | null = null,
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      id: newId(),
      session_id: sessionId,
      token_hash: tokenHash,
      parent_id: parentId,
      created_at: isoNow(),
      expires_at: expiresAt,
      rotated_at: null,
    })
    .execute();
}

/** A refresh token with its session, by the hash of the presented value. */
export function findRefreshToken(db: Executor, tokenHash: string) {
  return db
    .selectFrom('refresh_tokens as r')
    .innerJoin('auth_sessions as s', 's.id', 'r.session_id')
    .select([
      'r.id',
      'r.session_id',
      'r.expires_at',
      'r.rotated_at',
      's.account_id',
      's.org_id',
      's.ended_at',
    ])
    .where('r.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks the token rotated if nobody did first: exactly one of concurrent refreshes wins. */
export async function claimRefreshToken(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ rotated_at: isoNow() })
    .where('id', '=', id)
    .where('rotated_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function endSession(db: Executor, sessionId: string): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ ended_at: isoNow() })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute();
  await signalSessionChange(db);
}

/** Ends every live session of the account, but `exceptSessionId` when given (the caller's own). */
export async function endAccountSessions(
  db: Executor,
  accountId: string,
  exceptSessionId?: string,
): Promise<void> {
  let query = db
    .updateTable('auth_sessions')
    .set({ ended_at: isoNow() })
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null);
  if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
  await query.execute();
  await signalSessionChange(db);
}

export async function updateSession(
  db: Executor,
  sessionId: string,
  changes: { org_id?: string | null; expires_at?: string },
) {
  await db.updateTable('auth_sessions').set(changes).where('id', '=', sessionId).execute();
}

/** Retires every live refresh token of the session, before issuing its one successor. */
export async function retireRefreshTokens(db: Executor, sessionId: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ rotated_at: isoNow() })
    .where('session_id', '=', sessionId)
    .where('rotated_at', 'is', null)
    .execute();
}
