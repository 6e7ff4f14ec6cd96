import type { Selectable } from 'kysely';
import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import type { RateBindingsTable, RateProfilesTable } from '../../platform/db/tables.js';

export type RateProfileRow = Selectable<RateProfilesTable>;
export type RateBindingRow = Selectable<RateBindingsTable>;

export function listProfiles(db: Executor, orgId: OrgId): Promise<RateProfileRow[]> {
  return db
    .selectFrom('rate_profiles')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export function findProfile(db: Executor, orgId: OrgId, id: string): Promise<RateProfileRow | undefined> {
  return db
    .selectFrom('rate_profiles')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertProfile(db: Executor, row: RateProfileRow): Promise<void> {
  await db.insertInto('rate_profiles').values(row).execute();
}

export async function updateProfile(db: Executor, orgId: OrgId, id: string, change: Partial<RateProfileRow>) {
  await db
    .updateTable('rate_profiles')
    .set(change)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function deleteProfile(db: Executor, orgId: OrgId, id: string): Promise<void> {
  await db.deleteFrom('rate_profiles').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Oldest first: when two bindings share a target, the older one applies (see RateResolver). */
export function listBindings(db: Executor, orgId: OrgId, userId?: string): Promise<RateBindingRow[]> {
  let q = db.selectFrom('rate_bindings').selectAll().where('org_id', '=', orgId);
  if (userId) q = q.where('user_id', '=', userId);
  return q.orderBy('created_at').orderBy('id').execute();
}

export function findBinding(db: Executor, orgId: OrgId, id: string): Promise<RateBindingRow | undefined> {
  return db
    .selectFrom('rate_bindings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The binding with exactly this target (null columns included), if any. */
export function findBindingByTarget(
  db: Executor,
  orgId: OrgId,
  target: Pick<RateBindingRow, 'user_id' | 'role_name' | 'mission_id'>,
) {
  let q = db.selectFrom('rate_bindings').select('id').where('org_id', '=', orgId);
  q = target.user_id ? q.where('user_id', '=', target.user_id) : q.where('user_id', 'is', null);
  q = target.role_name ? q.where('role_name', '=', target.role_name) : q.where('role_name', 'is', null);
  q = target.mission_id ? q.where('mission_id', '=', target.mission_id) : q.where('mission_id', 'is', null);
  return q.executeTakeFirst();
}

export async function insertBinding(db: Executor, row: RateBindingRow): Promise<void> {
  await db.insertInto('rate_bindings').values(row).execute();
}

export async function deleteBinding(db: Executor, orgId: OrgId, id: string): Promise<void> {
  await db.deleteFrom('rate_bindings').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function existsInOrg(db: Executor, orgId: OrgId, table: 'users' | 'missions', id: string) {
  return (
    (await db
      .selectFrom(table)
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()) !== undefined
  );
}
