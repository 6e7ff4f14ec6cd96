import { PostgresAdapter, sql } from 'kysely';
import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import { zonedMonthOf } from '../../platform/timezone.js';

/**
 * Kept facts (docs/database.md, "Kept facts"): each person's ACCEPTED time per calendar month of the org's time
 * zone, and an upper bound of the org's longest mission. Written in the transaction of the change that moves
 * them, so a read never has to sum a month of assignments or scan 31 days of missions.
 *
 * The month rule: a mission counts whole in the month (org time zone) where it STARTS, also when it ends in the
 * next one, the rule the suggestions' fairness has always applied.
 */

export interface TimedMission {
  starts_at: string;
  ends_at: string;
}

const durationMs = (m: TimedMission) => Date.parse(m.ends_at) - Date.parse(m.starts_at);

async function orgTimeZone(db: Executor, orgId: OrgId): Promise<string> {
  const row = await db
    .selectFrom('orgs')
    .select('timezone')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return row.timezone;
}

/**
 * Adds (`sign` 1) or removes (-1) the time of `mission` to each person's month: called when their assignment
 * becomes ACCEPTED or stops being so. A month brought to zero loses its row.
 */
export async function shiftAcceptedTime(
  db: Executor,
  orgId: OrgId,
  userIds: string[],
  mission: TimedMission,
  sign: 1 | -1,
): Promise<void> {
  if (userIds.length === 0) return;
  const month = zonedMonthOf(mission.starts_at, await orgTimeZone(db, orgId)).label;
  const delta = sign * durationMs(mission);
  await db
    .insertInto('person_month_minutes')
    .values(userIds.map((user_id) => ({ org_id: orgId, user_id, month, accepted_ms: delta })))
    .onConflict((oc) =>
      oc.columns(['user_id', 'month']).doUpdateSet({
        accepted_ms: sql`person_month_minutes.accepted_ms + excluded.accepted_ms`,
      }),
    )
    .execute();
  if (sign < 0) {
    await db
      .deleteFrom('person_month_minutes')
      .where('user_id', 'in', userIds)
      .where('month', '=', month)
      .where('accepted_ms', '<=', 0)
      .execute();
  }
}

/** A mission holding accepted crew moves: its time leaves their old month and lands in the new one. */
export async function moveAcceptedTime(
  db: Executor,
  orgId: OrgId,
  userIds: string[],
  before: TimedMission,
  after: TimedMission,
): Promise<void> {
  if (before.starts_at === after.starts_at && before.ends_at === after.ends_at) return;
  await shiftAcceptedTime(db, orgId, userIds, before, -1);
  await shiftAcceptedTime(db, orgId, userIds, after, 1);
}

const hoursOf = (ms: number | string) => Math.round((Number(ms) / 3_600_000) * 100) / 100;

/**
 * Hours ACCEPTED in the org's month `month` (`YYYY-MM`) per person: of these people (their primary key), or of
 * everyone in the org (`(org_id, month)`). People without accepted time are absent.
 */
export async function acceptedHoursInMonth(
  db: Executor,
  orgId: OrgId,
  month: string,
  userIds: string[] | null,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('person_month_minutes')
    .select(['user_id', 'accepted_ms'])
    .where('org_id', '=', orgId)
    .where('month', '=', month);
  if (userIds !== null) {
    if (userIds.length === 0) return new Map();
    query = query.where('user_id', 'in', userIds);
  }
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.user_id, hoursOf(r.accepted_ms)]));
}

/** Each dialect's mission duration in milliseconds, for the aggregate below. */
function missionMs(db: Executor) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<number>`round(extract(epoch from (m.ends_at - m.starts_at)) * 1000)::bigint`
    : sql<number>`cast(round((julianday(m.ends_at) - julianday(m.starts_at)) * 86400000.0) as integer)`;
}

/**
 * Recomputes the org's months from its ACCEPTED assignments: after a time-zone change (months start at other
 * instants) — one aggregate per month holding missions, through `(org_id, starts_at)`.
 */
export async function rebuildAcceptedTime(db: Executor, orgId: OrgId, timeZone: string): Promise<void> {
  await db.deleteFrom('person_month_minutes').where('org_id', '=', orgId).execute();
  const ms = missionMs(db);
  const firstFrom = async (from: string | null) => {
    let query = db
      .selectFrom('missions')
      .select('starts_at')
      .where('org_id', '=', orgId)
      .orderBy('starts_at')
      .limit(1);
    if (from !== null) query = query.where('starts_at', '>=', from);
    return (await query.executeTakeFirst())?.starts_at ?? null;
  };
  for (let next = await firstFrom(null); next !== null;) {
    const month = zonedMonthOf(next, timeZone);
    await db
      .insertInto('person_month_minutes')
      .columns(['org_id', 'user_id', 'month', 'accepted_ms'])
      .expression((eb) =>
        eb
          .selectFrom('missions as m')
          .innerJoin('assignments as a', 'a.mission_id', 'm.id')
          .select([
            'a.org_id',
            'a.user_id',
            sql.lit(month.label).as('month'),
            sql<number>`sum(${ms})`.as('ms'),
          ])
          .where('m.org_id', '=', orgId)
          .where('m.starts_at', '>=', month.from)
          .where('m.starts_at', '<', month.to)
          .where('a.status', '=', 'ACCEPTED')
          .groupBy(['a.org_id', 'a.user_id']),
      )
      .execute();
    next = await firstFrom(month.to);
  }
}

/** Raises the org's longest-mission bound to cover these missions (never lowers it; no write when it holds). */
export async function raiseLongestMission(
  db: Executor,
  orgId: OrgId,
  missions: TimedMission[],
): Promise<void> {
  if (missions.length === 0) return;
  const minutes = Math.ceil(Math.max(...missions.map(durationMs)) / 60_000);
  await db
    .updateTable('orgs')
    .set({ longest_mission_minutes: minutes })
    .where('id', '=', orgId)
    .where('longest_mission_minutes', '<', minutes)
    .execute();
}

/** Sets the bound from the stored missions (after a bulk load that went around the services, like the demo seed). */
export async function recomputeLongestMission(db: Executor, orgId: OrgId): Promise<void> {
  const row = await db
    .selectFrom('missions as m')
    .select(sql<number | string | null>`max(${missionMs(db)})`.as('ms'))
    .where('m.org_id', '=', orgId)
    .executeTakeFirst();
  await db
    .updateTable('orgs')
    .set({ longest_mission_minutes: Math.ceil(Number(row?.ms ?? 0) / 60_000) })
    .where('id', '=', orgId)
    .execute();
}

/**
 * The earliest start of a mission of the org still running at `from`: `from` less the org's longest mission, or
 * less `capMs` (the longest a mission may be) if that is shorter. A window's lists look back no further.
 */
export async function earliestStartRunningAt(
  db: Executor,
  orgId: OrgId,
  from: string,
  capMs: number,
): Promise<string> {
  const longest = Math.min(await longestMissionMs(db, orgId), capMs);
  return new Date(Date.parse(from) - longest).toISOString();
}

/** The org's longest-mission bound in milliseconds. */
export async function longestMissionMs(db: Executor, orgId: OrgId): Promise<number> {
  const row = await db
    .selectFrom('orgs')
    .select('longest_mission_minutes')
    .where('id', '=', orgId)
    .executeTakeFirst();
  return Number(row?.longest_mission_minutes ?? 0) * 60_000;
}
