import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import type { CalendarFeedsTable } from '../../platform/db/tables.js';

export async function insertFeed(db: Executor, row: CalendarFeedsTable): Promise<void> {
  await db.insertInto('calendar_feeds').values(row).execute();
}

/** Revokes the account's live feed of that project (or its own feed, for `projectId` null); returns how many. */
export async function revokeLiveFeeds(
  db: Executor,
  accountId: string,
  projectId: string | null,
  now: string,
): Promise<number> {
  const result = await db
    .updateTable('calendar_feeds')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('project_id', projectId === null ? 'is' : '=', projectId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function findLiveFeed(db: Executor, accountId: string, projectId: string | null) {
  return db
    .selectFrom('calendar_feeds')
    .select(['id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('project_id', projectId === null ? 'is' : '=', projectId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** The live feed whose token hashes to `tokenHash`, with its owner's state (an inactive account serves nothing). */
export function findFeedByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('calendar_feeds as f')
    .innerJoin('accounts as a', 'a.id', 'f.account_id')
    .select(['f.id', 'f.account_id', 'f.org_id', 'f.project_id', 'a.active'])
    .where('f.token_hash', '=', tokenHash)
    .where('f.revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The account's assignments in every org that linked a roster profile to it: INVITED and ACCEPTED ones, and the
 * ones DECLINED or CANCELLED since `endedSince` (so subscribed calendars remove them), of missions ending after
 * `missionsEndingAfter`.
 */
export function listAccountFeedRows(
  db: Executor,
  accountId: string,
  endedSince: string,
  missionsEndingAfter: string,
) {
  return db
    .selectFrom('users as u')
    .innerJoin('assignments as a', (join) =>
      join.onRef('a.user_id', '=', 'u.id').onRef('a.org_id', '=', 'u.org_id'),
    )
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select([
      'a.id',
      'a.status',
      'a.updated_at',
      'm.updated_at as mission_updated_at',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.location',
      'm.notes',
      'r.name as role_name',
      'o.name as org_name',
    ])
    .where('u.account_id', '=', accountId)
    .where('m.ends_at', '>', missionsEndingAfter)
    .where((eb) =>
      eb.or([
        eb('a.status', 'in', ['INVITED', 'ACCEPTED']),
        eb.and([eb('a.status', 'in', ['DECLINED', 'CANCELLED']), eb('a.updated_at', '>=', endedSince)]),
      ]),
    )
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .execute();
}

/** A project's missions with their roles' staffing, for a manager's feed. */
export function listProjectFeedRows(
  db: Executor,
  orgId: OrgId,
  projectId: string,
  missionsEndingAfter: string,
) {
  return db
    .selectFrom('missions as m')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .leftJoin('mission_roles as r', (join) =>
      join.onRef('r.mission_id', '=', 'm.id').onRef('r.org_id', '=', 'm.org_id'),
    )
    .select([
      'm.id',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.location',
      'm.notes',
      'm.updated_at',
      'p.name as project_name',
      'r.name as role_name',
      'r.quota',
      'r.accepted_count',
    ])
    .where('m.org_id', '=', orgId)
    .where('m.project_id', '=', projectId)
    .where('m.ends_at', '>', missionsEndingAfter)
    .orderBy('m.starts_at')
    .orderBy('m.id')
    .orderBy('r.name')
    .execute();
}
