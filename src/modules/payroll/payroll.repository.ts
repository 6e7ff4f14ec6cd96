import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import { after } from '../../platform/http/pagination.js';
import { sql } from 'kysely';
import { engagementQueryForPeople, type EngagementRow } from '../pay/engagements.repository.js';
import type { Rate } from '../pay/pricing.js';
import type { PayLineRow } from './pay-lines.js';
import { RateResolver } from '../pay/rate-resolution.js';
import { listBindings, listProfiles } from '../rates/rates.repository.js';

export interface UserKey {
  id: string;
  last_name: string;
  first_name: string;
}

/** People of the org by name then id, after a keyset cursor: the unit every total and export walks in. */
export function userPage(
  db: Executor,
  orgId: OrgId,
  limit: number,
  cursor?: (string | number)[],
  userId?: string,
) {
  let q = db
    .selectFrom('users as u')
    .select(['u.id', 'u.last_name', 'u.first_name'])
    .where('u.org_id', '=', orgId);
  if (userId) q = q.where('u.id', '=', userId);
  if (cursor) q = q.where(after(['u.last_name', 'u.first_name', 'u.id'], cursor));
  return q.orderBy('u.last_name').orderBy('u.first_name').orderBy('u.id').limit(limit).execute();
}

/** The ACCEPTED engagements of some people whose mission starts in `[from, to)`, through each person's index. */
export async function engagementsOf(
  db: Executor,
  orgId: OrgId,
  userIds: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, EngagementRow[]>> {
  const byUser = new Map<string, EngagementRow[]>();
  if (userIds.length === 0) return byUser;
  const rows = await engagementQueryForPeople(db, orgId, userIds)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.starts_at', '>=', from)
    .where('m.starts_at', '<', to)
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .execute();
  for (const row of rows) {
    let list = byUser.get(row.user_id);
    if (!list) byUser.set(row.user_id, (list = []));
    list.push(row);
  }
  return byUser;
}

/** The org's rates, loaded once per total or export (a handful of rows). */
export async function loadRates(db: Executor, orgId: OrgId) {
  const [profiles, bindings] = await Promise.all([listProfiles(db, orgId), listBindings(db, orgId)]);
  return {
    resolver: new RateResolver(bindings),
    rates: new Map<string, Rate>(profiles.map((p) => [p.id, p])),
  };
}

/**
 * SQLite only: every ACCEPTED engagement of missions starting in `[from, to)`, in one statement read row by row
 * (Kysely `.stream()`), ordered by person (name, id) then start, and handed over one person at a time. The month's
 * missions are walked once through their `(org_id, starts_at)` index instead of each page of people looking up
 * its missions by key (random reads of a large file). SQLite sorts the month's rows (≈ 62,000 at scale L) before
 * the first one comes out, so the statement selects only what a pay line needs (`PayLineRow`: no titles,
 * comments or decisions) to keep the sorted rows small; sorting by person id instead of name measured no
 * clearer gain on a loaded machine, so the name order stays, the same as the paged walk's. SQLite serves one
 * statement at a time on its connection, so other requests wait while the export reads.
 */
export async function* streamEngagementsByPerson(
  db: Executor,
  orgId: OrgId,
  from: string,
  to: string,
): AsyncGenerator<PayLineRow[]> {
  const rows = db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('timesheets as t', 't.assignment_id', 'a.id')
    .select([
      'a.id as assignment_id',
      'a.user_id',
      'a.mission_id',
      'u.first_name',
      'u.last_name',
      'u.employment_type',
      'm.starts_at as planned_start',
      'm.ends_at as planned_end',
      'p.id as project_id',
      'p.name as project_name',
      'r.name as role_name',
      't.id as timesheet_id',
      't.status',
      't.worked_start',
      't.worked_end',
      't.break_minutes',
      't.pay_basis',
      't.cachets',
    ])
    // `+a.org_id`: keep SQLite on the missions' range (see engagements.repository.ts, `unindexed`)
    .where(sql<string>`+a.org_id`, '=', orgId)
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '>=', from)
    .where('m.starts_at', '<', to)
    // the partial index on active assignments (mission_id, user_id) joins each mission to its assignments
    .where(sql<boolean>`a.status IN ('INVITED', 'ACCEPTED')`)
    .where('a.status', '=', 'ACCEPTED')
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .stream(500);
  let person: PayLineRow[] = [];
  for await (const row of rows) {
    if (person.length > 0 && person[0]!.user_id !== row.user_id) {
      yield person;
      person = [];
    }
    person.push(row);
  }
  if (person.length > 0) yield person;
}
