import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';

/**
 * What the holder of a signed link sees: the mission in full (notes included), the role, the org and its time
 * zone, and who invited them with how to reach that person (their roster profile in this org, else their login).
 */
export function findInvitationPageRow(db: Executor, orgId: OrgId, assignmentId: string) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .leftJoin('org_notification_settings as ns', 'ns.org_id', 'a.org_id')
    .leftJoin('accounts as ma', 'ma.id', 'a.invited_by')
    .leftJoin('users as mu', (join) =>
      join.onRef('mu.account_id', '=', 'a.invited_by').onRef('mu.org_id', '=', 'a.org_id'),
    )
    .select([
      'a.id',
      'a.status',
      'a.updated_at',
      'o.name as org_name',
      'o.timezone',
      'ns.language as org_language',
      'm.id as mission_id',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.location',
      'm.notes',
      'm.updated_at as mission_updated_at',
      'r.name as role_name',
      'ma.email as manager_login',
      'mu.first_name as manager_first_name',
      'mu.last_name as manager_last_name',
      'mu.email as manager_email',
      'mu.phone as manager_phone',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assignmentId)
    .executeTakeFirst();
}

export type InvitationPageRow = NonNullable<Awaited<ReturnType<typeof findInvitationPageRow>>>;

/** The language the org set for its messages (null: not set, the time zone decides). */
export async function findOrgLanguage(db: Executor, orgId: OrgId): Promise<string | null> {
  const row = await db
    .selectFrom('org_notification_settings')
    .select('language')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.language ?? null;
}

/** Whether a reset token is still usable, without using it (the form is shown only for a live one). */
export async function isResetTokenLive(db: Executor, tokenHash: string, now: string): Promise<boolean> {
  const row = await db
    .selectFrom('password_reset_tokens')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}
