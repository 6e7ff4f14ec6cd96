import { isoNow, newId } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';
import { precompiled } from '../../platform/db/precompiled.js';
import type { MemberRole } from '../../platform/db/tables.js';

export function findAccountByEmail(db: Executor, email: string) {
  return db.selectFrom('accounts').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findAccountById(db: Executor, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertAccount(db: Executor, email: string, passwordHash: string) {
  const now = isoNow();
  const account = {
    id: newId(),
    email: email.toLowerCase(),
    password_hash: passwordHash,
    active: true,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('accounts').values(account).execute();
  return account;
}

export async function setPasswordHash(db: Executor, accountId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: passwordHash, updated_at: isoNow() })
    .where('id', '=', accountId)
    .execute();
}

/** The account's orgs, oldest membership first. */
export function listMemberships(db: Executor, accountId: string) {
  return db
    .selectFrom('org_memberships as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['m.org_id', 'o.name', 'm.role', 'm.created_at'])
    .where('m.account_id', '=', accountId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
}

export async function findMembershipRole(
  db: Executor,
  accountId: string,
  orgId: string,
): Promise<MemberRole | null> {
  const row = await db
    .selectFrom('org_memberships')
    .select('role')
    .where('account_id', '=', accountId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** The account's email with each of its orgs (oldest membership first), in one query: one row per org, or one row of nulls. */
export const findAccountWithOrgs = precompiled((db: Executor, accountId: string) =>
  db
    .selectFrom('accounts as a')
    .leftJoin('org_memberships as m', 'm.account_id', 'a.id')
    .leftJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['a.email', 'm.org_id', 'o.name', 'm.role'])
    .where('a.id', '=', accountId)
    .orderBy('m.created_at')
    .orderBy('m.id'),
);
