import { trustedOrgId, type OrgId } from '../../platform/auth/org-scope.js';
import { signalSessionChange } from '../../platform/auth/session-signal.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';
import type { MemberRole } from '../../platform/db/tables.js';

/** A new org: its fresh id is an OrgId from birth. */
export async function insertOrg(db: Executor, name: string, timezone: string) {
  const now = isoNow();
  const org = { id: trustedOrgId(newId()), name, timezone, created_at: now, updated_at: now };
  await db.insertInto('orgs').values(org).execute();
  return org;
}

export function findOrg(db: Executor, orgId: OrgId) {
  // Not selectAll: the kept `longest_mission_minutes` is no part of the org as the API and the audit show it.
  return db
    .selectFrom('orgs')
    .select(['id', 'name', 'timezone', 'created_at', 'updated_at'])
    .where('id', '=', orgId)
    .executeTakeFirst();
}

export async function insertMembership(db: Executor, orgId: OrgId, accountId: string, role: MemberRole) {
  const membership = { id: newId(), org_id: orgId, account_id: accountId, role, created_at: isoNow() };
  await db.insertInto('org_memberships').values(membership).execute();
  await signalSessionChange(db); // the account's orgs changed (session-cache.ts)
  return membership;
}

export function findMembership(db: Executor, orgId: OrgId, accountId: string) {
  return db
    .selectFrom('org_memberships')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export function listMyOrgs(db: Executor, accountId: string) {
  return db
    .selectFrom('org_memberships as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['m.org_id', 'o.name', 'o.timezone', 'm.role', 'm.created_at as joined_at'])
    .where('m.account_id', '=', accountId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
}

export async function updateOrgRow(
  db: Executor,
  orgId: OrgId,
  changes: { name?: string; timezone?: string },
) {
  await db
    .updateTable('orgs')
    .set({ ...changes, updated_at: isoNow() })
    .where('id', '=', orgId)
    .execute();
  if (changes.name !== undefined) await signalSessionChange(db); // members' `/auth/me` shows it (session-cache.ts)
}
