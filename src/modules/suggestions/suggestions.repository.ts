import type { OrgId } from '../../platform/auth/org-scope.js';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { acceptedHoursInMonth } from '../staffing/month-minutes.repository.js';

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
 * Active users of the org with no active (INVITED or ACCEPTED) assignment on the mission: those holding `skill`
 * at one level (`holding`, through `user_skills (org_id, name, level)`), those without it (`lacking`), or
 * everyone when the role asks for no skill (`skill` null; `skill_level` null then): one query.
 */
export function listCandidates(
  db: Executor,
  orgId: OrgId,
  missionId: string,
  skill: { name: string; who: 'holding'; level: number } | { name: string; who: 'lacking' } | null,
) {
  let query = db
    .selectFrom('users as u')
    .select(['u.id', 'u.first_name', 'u.last_name'])
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
    );
  if (skill?.who === 'holding') {
    return query
      .innerJoin('user_skills as s', (join) =>
        join
          .onRef('s.user_id', '=', 'u.id')
          .on('s.org_id', '=', orgId)
          .on('s.name', '=', skill.name)
          .on('s.level', '=', skill.level),
      )
      .select('s.level as skill_level')
      .execute();
  }
  if (skill?.who === 'lacking') {
    query = query.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('user_skills as s')
            .select('s.user_id')
            .whereRef('s.user_id', '=', 'u.id')
            .where('s.name', '=', skill.name),
        ),
      ),
    );
  }
  return query.select(sql<number | null>`null`.as('skill_level')).execute();
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

/** Above this many people, one read over the org is cheaper than reading each person's own rows. */
const PER_PERSON_LIMIT = 400;

/**
 * The ranking facts of a set of people — hours ACCEPTED in the month (the kept `person_month_minutes`, month
 * `YYYY-MM` of the org's time zone), declared AVAILABLE during the mission — read through each person's own keys
 * for a small set, or once for the whole org for a large one (kept for the next sets of the same request).
 */
export function factsLoader(
  db: Executor,
  orgId: OrgId,
  mission: { from: string; to: string },
  month: string,
) {
  let wholeOrg: Promise<{ hours: Map<string, number>; available: Set<string> }> | undefined;
  return async (userIds: string[]) => {
    if (wholeOrg || userIds.length > PER_PERSON_LIMIT) {
      wholeOrg ??= Promise.all([
        acceptedHoursInMonth(db, orgId, month, null),
        availableUsers(db, orgId, mission.from, mission.to),
      ]).then(([hours, available]) => ({ hours, available }));
      return wholeOrg;
    }
    const [hours, available] = await Promise.all([
      acceptedHoursInMonth(db, orgId, month, userIds),
      availableAmong(db, orgId, mission.from, mission.to, userIds),
    ]);
    return { hours, available };
  };
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
