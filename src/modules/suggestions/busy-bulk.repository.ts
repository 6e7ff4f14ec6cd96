import type { Executor } from '../../platform/db/database.js';
import type { BusyAssignment, BusyContext, Interval } from '../staffing/rules.js';

/** Missions never last longer than this (missions.schemas MAX_MISSION_DAYS), which bounds the date scans. */
const LONGEST_MISSION_MS = 31 * 24 * 3600_000;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (value: string) => Date.parse(value);

/**
 * What `loadBusyContexts` (staffing/busy.repository.ts) loads, for many people at once: every person of the org
 * with their active assignments, declared unavailability and accepted work in other orgs overlapping the window.
 * Same three queries and same result, but the assignments are reached through the missions' roles, so that
 * `(role_id, status)` serves the join: `assignments` has no index on `mission_id` SQLite can use with a bound
 * status (the partial unique index only matches literal predicates), and at 100,000 assignments the
 * mission-first plan scanned the whole table once per mission in the window (seconds). Until busy.repository.ts
 * joins the same way, suggestions use this one.
 */
export async function loadBusyContextsForOrg(
  db: Executor,
  orgId: string,
  window: Interval,
): Promise<Map<string, BusyContext>> {
  const contexts = new Map<string, BusyContext>();
  const of = (userId: string) => {
    let context = contexts.get(userId);
    if (!context) contexts.set(userId, (context = { assignments: [], unavailable: [], elsewhere: [] }));
    return context;
  };
  const from = iso(window.start);
  const to = iso(window.end);

  const assignments = db
    .selectFrom('missions as m')
    .innerJoin('mission_roles as r', 'r.mission_id', 'm.id')
    .innerJoin('assignments as a', 'a.role_id', 'r.id')
    .select(['a.id', 'a.user_id', 'a.mission_id', 'a.status', 'm.title', 'm.starts_at', 'm.ends_at'])
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '<', to)
    .where('m.starts_at', '>', iso(window.start - LONGEST_MISSION_MS))
    .where('m.ends_at', '>', from)
    .where('a.status', 'in', ['INVITED', 'ACCEPTED']);

  const unavailable = db
    .selectFrom('availability')
    .select(['user_id', 'starts_at', 'ends_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', 'UNAVAILABLE')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);

  const elsewhere = db
    .selectFrom('users as u')
    .innerJoin('users as other', (join) =>
      join.onRef('other.account_id', '=', 'u.account_id').onRef('other.org_id', '!=', 'u.org_id'),
    )
    .innerJoin('assignments as a', 'a.user_id', 'other.id')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select(['u.id as user_id', 'm.starts_at', 'm.ends_at'])
    .where('u.org_id', '=', orgId)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.starts_at', '<', to)
    .where('m.ends_at', '>', from);

  const [assignmentRows, unavailableRows, elsewhereRows] = await Promise.all([
    assignments.execute(),
    unavailable.execute(),
    elsewhere.execute(),
  ]);
  for (const row of assignmentRows) {
    const busy: BusyAssignment = {
      assignmentId: row.id,
      missionId: row.mission_id,
      title: row.title,
      status: row.status as BusyAssignment['status'],
      start: ms(row.starts_at),
      end: ms(row.ends_at),
    };
    of(row.user_id).assignments.push(busy);
  }
  for (const row of unavailableRows)
    of(row.user_id).unavailable.push({ start: ms(row.starts_at), end: ms(row.ends_at) });
  for (const row of elsewhereRows)
    of(row.user_id).elsewhere.push({ start: ms(row.starts_at), end: ms(row.ends_at) });
  return contexts;
}
