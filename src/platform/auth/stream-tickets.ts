import { isoIn, isoNow } from '../clock.js';
import type { Executor } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AccessClaims } from './jwt.js';
import { hashToken, randomToken } from './secrets.js';

/**
 * Stream tickets: a browser's EventSource cannot send an Authorization header, so it opens an event stream with
 * `?ticket=…` instead. A ticket is random (256 bits), lives 60 s, opens one stream once (`used_at`, checked in
 * the same UPDATE that spends it, so two instances cannot both accept it), only on the routes that declare
 * `config.streamTicket`, and stands for the session that asked for it: the access hook then checks the session
 * and the membership exactly as for a bearer token. Only its hash is stored; the logs redact it.
 */
export const STREAM_TICKET_TTL_MS = 60_000;

export interface StreamTicket {
  ticket: string;
  expires_at: string;
}

export async function issueStreamTicket(
  db: Executor,
  claims: { accountId: string; sessionId: string; orgId: string | null },
): Promise<StreamTicket> {
  const ticket = randomToken();
  const expiresAt = isoIn(STREAM_TICKET_TTL_MS);
  // Spent and expired tickets are worthless: the one who asks for a new one clears them.
  await db.deleteFrom('stream_tickets').where('expires_at', '<', isoIn(-STREAM_TICKET_TTL_MS)).execute();
  await db
    .insertInto('stream_tickets')
    .values({
      token_hash: hashToken(ticket),
      account_id: claims.accountId,
      session_id: claims.sessionId,
      org_id: claims.orgId,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { ticket, expires_at: expiresAt };
}

/** Spends a ticket: the claims of the session it was issued for, or 401 if unknown, spent or expired. */
export async function spendStreamTicket(db: Executor, ticket: string): Promise<AccessClaims> {
  const now = isoNow();
  const hash = hashToken(ticket);
  const spent = await db
    .updateTable('stream_tickets')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) {
    throw new AppError(
      'unauthorized',
      'The stream ticket is unknown, spent or expired: ask for a new one',
      {},
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
  const row = await db
    .selectFrom('stream_tickets')
    .select(['account_id', 'session_id', 'org_id'])
    .where('token_hash', '=', hash)
    .executeTakeFirstOrThrow();
  return { sub: row.account_id, sid: row.session_id, org: row.org_id };
}
