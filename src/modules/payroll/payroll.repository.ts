import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor, Tx } from '../../platform/db/database.js';
import { after } from '../../platform/http/pagination.js';
import { CompiledQuery, sql } from 'kysely';
import { engagementQueryForPeople, unindexed, type EngagementRow } from '../pay/engagements.repository.js';
import type { Rate } from '../pay/pricing.js';
import type { LineSource } from './pay-lines.js';
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
    .select(['u.id', 'u.last_name', 'u.first_name', 'u.employment_type'])
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

/** The org's projects' names by id, read once by an org-wide pass instead of joined on every line. */
export async function projectNames(db: Executor, orgId: OrgId): Promise<Map<string, string>> {
  const rows = await db.selectFrom('projects').select(['id', 'name']).where('org_id', '=', orgId).execute();
  return new Map(rows.map((p) => [p.id, p.name]));
}

/**
 * The ACCEPTED engagements of missions starting in `[from, to)`, in mission start order (then assignment id):
 * the month's missions are walked through their start index, each joined to its assignments by the partial
 * index on active ones `(mission_id, user_id)`, then to its role and timesheet by key. No person and no project
 * (read once by the caller), so three key lookups per row and narrow rows.
 */
function monthLinesQuery(db: Executor, orgId: OrgId, from: string, to: string) {
  return (
    db
      .selectFrom('missions as m')
      .innerJoin('assignments as a', 'a.mission_id', 'm.id')
      .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
      .leftJoin('timesheets as t', 't.assignment_id', 'a.id')
      .select([
        'a.id as assignment_id',
        'a.user_id',
        'a.mission_id',
        'm.project_id',
        'm.starts_at as planned_start',
        'm.ends_at as planned_end',
        'r.name as role_name',
        't.status',
        't.worked_start',
        't.worked_end',
        't.break_minutes',
        't.pay_basis',
        't.cachets',
      ])
      .where('m.org_id', '=', orgId)
      .where('m.starts_at', '>=', from)
      .where('m.starts_at', '<', to)
      // `+a.org_id`: keep SQLite on the missions' range (see engagements.repository.ts, `unindexed`)
      .where(unindexed(db, 'a.org_id'), '=', orgId)
      // the partial index on active assignments (mission_id, user_id) joins each mission to its assignments
      .where(sql<boolean>`a.status IN ('INVITED', 'ACCEPTED')`)
      .where('a.status', '=', 'ACCEPTED')
      .orderBy('m.starts_at')
      .orderBy('a.id')
  );
}

/** One engagement of the month as an org-wide pass reads it: its own columns only (`LineSource`). */
export type MonthLineRow = LineSource & { assignment_id: string; project_id: string };

/**
 * SQLite: the month's engagements (`monthLinesQuery`) page after page, keyset on `[starts_at, assignment id]`
 * (SQLite sorts only the ties of one instant). Pages, not one long statement: SQLite serves one statement at a
 * time, so other requests get their turn between pages.
 */
export async function* monthLinesByKeyset(
  db: Executor,
  orgId: OrgId,
  range: { from: string; to: string },
  pageSize: number,
): AsyncGenerator<MonthLineRow[]> {
  for (let cursor: [string, string] | undefined; ;) {
    // one lower bound on the index: the cursor's instant once there is one
    let q = monthLinesQuery(db, orgId, cursor ? cursor[0] : range.from, range.to);
    if (cursor) q = q.where(after(['m.starts_at', 'a.id'], cursor));
    const rows: MonthLineRow[] = await q.limit(pageSize).execute();
    yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    cursor = [last.planned_start, last.assignment_id];
  }
}

/**
 * Empties a row read. pg makes every row of every result from one object literal (`{ ...emptyRow }`), and rows
 * survive together (a result is one array): V8 then allocates that literal's objects in the old generation
 * ("pretenuring"), where a row keeps its strings — young — alive through every young-generation collection until
 * the next full one (`--trace-gc`: ≈ 2.5 MB promoted per scavenge during the read). Emptied once its draft line is
 * made, the row holds nothing and its strings die young.
 */
function forget(row: MonthLineRow): void {
  const fields = row as unknown as Record<string, unknown>;
  for (const key in fields) fields[key] = null;
}

/**
 * PostgreSQL: the same statement read through a server-side cursor (`DECLARE … FETCH`, inside the caller's
 * transaction), `FETCH` after `FETCH`, so the month is never one result in memory and no `pg-cursor` is needed. A
 * keyset on PostgreSQL re-ran a hash join over the org's assignments for every page (≈ 0.2 s each at scale L);
 * the cursor runs the join and the sort once. `cursor_tuple_fraction = 1`: every row will be read, so plan for
 * the whole result, not the first rows. A `FETCH` is one array of row objects held while it is processed: small
 * ones keep that live set (what the young generation must copy, then promote) small.
 */
export async function* monthLinesByCursor(
  trx: Tx,
  orgId: OrgId,
  range: { from: string; to: string },
  fetchSize: number,
): AsyncGenerator<MonthLineRow[]> {
  const query = monthLinesQuery(trx, orgId, range.from, range.to).compile();
  await sql`SET LOCAL cursor_tuple_fraction = 1`.execute(trx);
  await trx.executeQuery(
    CompiledQuery.raw(`DECLARE month_lines NO SCROLL CURSOR FOR ${query.sql}`, [...query.parameters]),
  );
  const fetch = CompiledQuery.raw(`FETCH ${Math.trunc(fetchSize)} FROM month_lines`);
  for (;;) {
    const { rows } = await trx.executeQuery<MonthLineRow>(fetch);
    if (rows.length > 0) yield rows;
    // the caller has made the page's draft lines by the time it asks for the next page
    for (const row of rows) forget(row);
    if (rows.length < fetchSize) break;
  }
  await sql`CLOSE month_lines`.execute(trx);
}
