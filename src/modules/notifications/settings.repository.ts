import type { Executor } from '../../platform/db/database.js';
import type { OrgId } from '../../platform/auth/org-scope.js';
import type { OrgNotificationSettingsTable } from '../../platform/db/tables.js';

export function findSettingsRow(db: Executor, orgId: OrgId) {
  return db
    .selectFrom('org_notification_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

/** The org's name and zone with its settings row (null columns when it has none), in one query. */
export function findOrgSettings(db: Executor, orgId: OrgId) {
  return db
    .selectFrom('orgs as o')
    .leftJoin('org_notification_settings as s', 's.org_id', 'o.id')
    .select([
      'o.name',
      'o.timezone',
      's.org_id as settings_org_id',
      's.language',
      's.invitation',
      's.assignment_changed',
      's.assignment_cancelled',
      's.assignment_response',
      's.reminder',
      's.dpae_reminder',
      's.reminder_lead_minutes',
      's.coalesce_seconds',
    ])
    .where('o.id', '=', orgId)
    .executeTakeFirst();
}

export function findOrgZone(db: Executor, orgId: OrgId) {
  return db.selectFrom('orgs').select(['id', 'name', 'timezone']).where('id', '=', orgId).executeTakeFirst();
}

export async function upsertSettingsRow(db: Executor, row: OrgNotificationSettingsTable): Promise<void> {
  const { org_id: _key, ...changes } = row;
  await db
    .insertInto('org_notification_settings')
    .values(row)
    .onConflict((oc) => oc.column('org_id').doUpdateSet(changes))
    .execute();
}

export function isOptedOut(db: Executor, userId: string, kind: 'reminder') {
  return db
    .selectFrom('notification_opt_outs')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .executeTakeFirst()
    .then(Boolean);
}

export async function insertOptOut(
  db: Executor,
  row: { org_id: OrgId; user_id: string; kind: 'reminder'; created_at: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('notification_opt_outs')
    .values(row)
    .onConflict((oc) => oc.columns(['user_id', 'kind']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
