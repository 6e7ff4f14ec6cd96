import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
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
 * The account feed's assignments, in every org that linked a roster profile to the account (see
 * listAccountFeedRows). Without their roles: the aggregate needs none (a role's change stamps its mission).
 */
function accountFeedAssignments(
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
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .where('u.account_id', '=', accountId)
    .where('m.ends_at', '>', missionsEndingAfter)
    .where((eb) =>
      eb.or([
        eb('a.status', 'in', ['INVITED', 'ACCEPTED']),
        eb.and([eb('a.status', 'in', ['DECLINED', 'CANCELLED']), eb('a.updated_at', '>=', endedSince)]),
      ]),
    );
}

const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * A timestamp column as the stored ISO text (`YYYY-MM-DDTHH:MM:SS.sssZ`): SQLite keeps that text; PostgreSQL
 * formats it server-side, so the client parses no `timestamptz` (500 rows × 4 of them, each through a Date).
 */
function isoText(db: Executor, column: string): RawBuilder<string> {
  return isPostgres(db)
    ? sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<string>`${sql.ref(column)}`;
}

/**
 * A timestamp column as integer milliseconds since 1970 on both dialects, so that sums of it are exact (a float
 * sum would depend on the rows' order). Rounded: the double's error is far below half a millisecond.
 */
function epochMs(db: Executor, column: string): RawBuilder<number> {
  return isPostgres(db)
    ? sql<number>`round(date_part('epoch', ${sql.ref(column)}) * 1000)::bigint`
    : sql<number>`cast(round(unixepoch(${sql.ref(column)}, 'subsec') * 1000) as integer)`;
}

/**
 * The account's assignments in every org that linked a roster profile to it: INVITED and ACCEPTED ones, and the
 * ones DECLINED or CANCELLED since `endedSince` (so subscribed calendars remove them), of missions ending after
 * `missionsEndingAfter`. Only the columns the feed shows, timestamps as text.
 */
export function listAccountFeedRows(
  db: Executor,
  accountId: string,
  endedSince: string,
  missionsEndingAfter: string,
) {
  return accountFeedAssignments(db, accountId, endedSince, missionsEndingAfter)
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .select((eb) => [
      'a.id',
      'a.status',
      isoText(db, 'a.updated_at').as('updated_at'),
      isoText(db, 'm.updated_at').as('mission_updated_at'),
      'm.title',
      isoText(db, 'm.starts_at').as('starts_at'),
      isoText(db, 'm.ends_at').as('ends_at'),
      'm.location',
      'm.notes',
      eb.ref('r.name').as('role_name'),
      eb.ref('o.name').as('org_name'),
    ])
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .execute();
}

/**
 * One row that changes whenever the account feed's document would: which assignments are in it (their count,
 * per state: one ageing out of the 30-day or history window lowers it), and exact sums and maxima of the
 * `updated_at` of what each event shows. Every write to a shown field stamps its row: an assignment's state, a
 * mission's times, title, location or notes (a role's change stamps its mission), an org's name or time zone, a
 * roster profile linked to or from the account. Sums, not only maxima: two clocks a little apart, or two writes in
 * the same millisecond, still change a sum. No row is loaded, so an unchanged poll costs one aggregate.
 */
export function accountFeedVersion(
  db: Executor,
  accountId: string,
  endedSince: string,
  missionsEndingAfter: string,
) {
  return accountFeedAssignments(db, accountId, endedSince, missionsEndingAfter)
    .select((eb) => [
      eb.fn.countAll<number>().as('assignments'),
      sql<number>`sum(case when a.status = 'INVITED' then 1 else 0 end)`.as('invited'),
      sql<number>`sum(case when a.status = 'ACCEPTED' then 1 else 0 end)`.as('accepted'),
      eb.fn.sum<number>(epochMs(db, 'a.updated_at')).as('assignments_stamp'),
      eb.fn.sum<number>(epochMs(db, 'm.updated_at')).as('missions_stamp'),
      eb.fn.max<number>(epochMs(db, 'm.updated_at')).as('missions_last'),
      eb.fn.max<number>(epochMs(db, 'o.updated_at')).as('orgs_last'),
      eb.fn.sum<number>(epochMs(db, 'o.updated_at')).as('orgs_stamp'),
      eb.fn.max<number>(epochMs(db, 'u.updated_at')).as('profiles_last'),
    ])
    .executeTakeFirstOrThrow();
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
