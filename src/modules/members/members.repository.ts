import type { OrgId } from '../../platform/auth/org-scope.js';
import { signalSessionChange } from '../../platform/auth/session-signal.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';
import type { MemberRole } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export interface MemberRow {
  account_id: string;
  email: string;
  role: MemberRole;
  joined_at: string;
}

/** Members ordered by join date, `limit + 1` rows after the cursor key (joined_at, account_id). */
export function listMemberRows(db: Executor, orgId: OrgId, limit: number, cursor?: (string | number)[]) {
  let query = db
    .selectFrom('org_memberships as m')
    .innerJoin('accounts as a', 'a.id', 'm.account_id')
    .select(['m.account_id', 'a.email', 'm.role', 'm.created_at as joined_at'])
    .where('m.org_id', '=', orgId);
  if (cursor) query = query.where(after(['m.created_at', 'm.account_id'], cursor));
  return query
    .orderBy('m.created_at')
    .orderBy('m.account_id')
    .limit(limit + 1)
    .execute();
}

export function findMember(db: Executor, orgId: OrgId, accountId: string) {
  return db
    .selectFrom('org_memberships as m')
    .innerJoin('accounts as a', 'a.id', 'm.account_id')
    .select(['m.id', 'm.account_id', 'a.email', 'm.role', 'm.created_at as joined_at'])
    .where('m.org_id', '=', orgId)
    .where('m.account_id', '=', accountId)
    .executeTakeFirst();
}

export async function countOwners(db: Executor, orgId: OrgId): Promise<number> {
  const row = await db
    .selectFrom('org_memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setMemberRole(db: Executor, orgId: OrgId, accountId: string, role: MemberRole) {
  await db
    .updateTable('org_memberships')
    .set({ role })
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .execute();
  await signalSessionChange(db);
}

export async function deleteMember(db: Executor, orgId: OrgId, accountId: string) {
  await db
    .deleteFrom('org_memberships')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .execute();
  await signalSessionChange(db);
}

export async function insertOrgInvitation(
  db: Executor,
  values: {
    orgId: OrgId;
    email: string;
    role: MemberRole;
    tokenHash: string;
    invitedBy: string | null;
    expiresAt: string;
    /** the id the invitation's token is derived from (derived-tokens.ts) */
    id?: string;
  },
) {
  const invitation = {
    id: values.id ?? newId(),
    org_id: values.orgId,
    email: values.email,
    role: values.role,
    token_hash: values.tokenHash,
    invited_by: values.invitedBy,
    expires_at: values.expiresAt,
    accepted_at: null,
    created_at: isoNow(),
  };
  await db.insertInto('org_invitations').values(invitation).execute();
  return invitation;
}

/** A newer invitation to the same email supersedes the pending ones. */
export async function expirePendingOrgInvitations(db: Executor, orgId: OrgId, email: string) {
  const now = isoNow();
  await db
    .updateTable('org_invitations')
    .set({ expires_at: now })
    .where('org_id', '=', orgId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
}

export function findOrgInvitationByHash(db: Executor, tokenHash: string) {
  return db.selectFrom('org_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks the invitation used if nobody did first: exactly one accept wins. */
export async function claimOrgInvitation(db: Executor, id: string): Promise<boolean> {
  const now = isoNow();
  const result = await db
    .updateTable('org_invitations')
    .set({ accepted_at: now })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
