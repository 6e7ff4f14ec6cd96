import type { OrgId } from '../../platform/auth/org-scope.js';
import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/** The mission and, when it is one of the mission's roles, the role: `role_id` is null otherwise. */
export function findMissionRole(db: Executor, orgId: OrgId, missionId: string, roleId: string) {
  return db
    .selectFrom('missions as m')
    .leftJoin('mission_roles as r', (join) =>
      join.onRef('r.mission_id', '=', 'm.id').on('r.id', '=', roleId).on('r.org_id', '=', orgId),
    )
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select([
      'm.id',
      'm.starts_at',
      'm.ends_at',
      'o.timezone',
      'r.id as role_id',
      'r.name as role_name',
      'r.skill',
      'r.min_level',
    ])
    .where('m.org_id', '=', orgId)
    .where('m.id', '=', missionId)
    .executeTakeFirst();
}

/**
 * Active users of the org with no active (INVITED or ACCEPTED) assignment on the mission, each with their level
 * in `skill` (null without the skill, or when the role asks for none): one query.
 */
export function listCandidates(db: Executor, orgId: OrgId, missionId: string, skill: string | null) {
  return db
    .selectFrom('users as u')
    .leftJoin('user_skills as s', (join) =>
      join
        .onRef('s.user_id', '=', 'u.id')
        .on('s.org_id', '=', orgId)
        .on(sql<boolean>`${sql.ref('s.name')} = ${skill}`),
    )
    .select(['u.id', 'u.first_name', 'u.last_name', 's.level as skill_level'])
    .where('u.org_id', '=', orgId)
    .where('u.active', '=', true)
    .where('u.id', 'not in', (eb) =>
      // through the mission's roles: (role_id, status) is indexed on both dialects
      eb
        .selectFrom('mission_roles as r')
        .innerJoin('assignments as a', 'a.role_id', 'r.id')
        .select('a.user_id')
        .where('r.mission_id', '=', missionId)
        .where('a.status', 'in', ['INVITED', 'ACCEPTED']),
    )
    .execute();
}

/** Total hours of the missions (`m`) of the group, in each dialect's date arithmetic. */
function hoursWorked(db: Executor) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<number>`sum(extract(epoch from (m.ends_at - m.starts_at))) / 3600.0`
    : sql<number>`sum((julianday(m.ends_at) - julianday(m.starts_at)) * 24.0)`;
}

const byUser = (rows: { user_id: string; hours: number }[]) =>
  new Map(rows.map((r) => [r.user_id, Math.round(Number(r.hours) * 100) / 100]));

/**
 * Hours of ACCEPTED work per user on the org's missions starting in [from, to): one aggregate query, driven by
 * (org_id, starts_at) on missions, then the roles of those missions and (role_id, status) on assignments.
 */
export async function acceptedHoursByUser(
  db: Executor,
  orgId: OrgId,
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const hours = hoursWorked(db);
  const rows = await db
    .selectFrom('missions as m')
    .innerJoin('mission_roles as r', 'r.mission_id', 'm.id')
    .innerJoin('assignments as a', 'a.role_id', 'r.id')
    .select(['a.user_id', hours.as('hours')])
    .where('m.org_id', '=', orgId)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.starts_at', '>=', from)
    .where('m.starts_at', '<', to)
    .groupBy('a.user_id')
    .execute();
  return byUser(rows);
}

/** Users of the org who declared themselves AVAILABLE at some time overlapping [from, to): one query. */
export async function availableUsers(
  db: Executor,
  orgId: OrgId,
  from: string,
  to: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('availability')
    .select('user_id')
    .distinct()
    .where('org_id', '=', orgId)
    .where('kind', '=', 'AVAILABLE')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Above this many people, one aggregate over the org is cheaper than reading each person's own rows. */
const PER_PERSON_LIMIT = 400;

/**
 * The ranking facts of a set of people — hours ACCEPTED in the month, declared AVAILABLE during the mission —
 * read through each person's own indexes for a small set, or once for the whole org for a large one (kept for
 * the next sets of the same request).
 */
export function factsLoader(
  db: Executor,
  orgId: OrgId,
  mission: { from: string; to: string },
  month: { from: string; to: string },
) {
  let wholeOrg: Promise<{ hours: Map<string, number>; available: Set<string> }> | undefined;
  return async (userIds: string[]) => {
    if (wholeOrg || userIds.length > PER_PERSON_LIMIT) {
      wholeOrg ??= Promise.all([
        acceptedHoursByUser(db, orgId, month.from, month.to),
        availableUsers(db, orgId, mission.from, mission.to),
      ]).then(([hours, available]) => ({ hours, available }));
      return wholeOrg;
    }
    const [hours, available] = await Promise.all([
      acceptedHoursOf(db, orgId, month.from, month.to, userIds),
      availableAmong(db, orgId, mission.from, mission.to, userIds),
    ]);
    return { hours, available };
  };
}

/** Hours ACCEPTED per person on missions starting in [from, to), by each person's (user_id, status) index. */
async function acceptedHoursOf(
  db: Executor,
  orgId: OrgId,
  from: string,
  to: string,
  userIds: string[],
): Promise<Map<string, number>> {
  const hours = hoursWorked(db);
  const rows = await db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select(['a.user_id', hours.as('hours')])
    .where('a.user_id', 'in', userIds)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '>=', from)
    .where('m.starts_at', '<', to)
    .groupBy('a.user_id')
    .execute();
  return byUser(rows);
}

/** Which of these people declared themselves AVAILABLE at some time overlapping [from, to). */
async function availableAmong(
  db: Executor,
  orgId: OrgId,
  from: string,
  to: string,
  userIds: string[],
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('availability')
    .select('user_id')
    .distinct()
    .where('user_id', 'in', userIds)
    .where('org_id', '=', orgId)
    .where('kind', '=', 'AVAILABLE')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}
