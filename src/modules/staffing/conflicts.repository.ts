import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import { after } from '../../platform/http/pagination.js';

/** Missions never last longer than this (missions.schemas MAX_MISSION_DAYS), which bounds the date scan. */
const LONGEST_MISSION_MS = 31 * 24 * 3600_000;

export interface ActiveAssignmentQuery {
  from: string;
  to: string;
  /** the (mission start, assignment id) of the last row already seen */
  cursor?: (string | number)[];
  limit: number;
}

/**
 * INVITED and ACCEPTED assignments on the org's missions overlapping [from, to), in (mission start, id) order:
 * the org's missions by their (org_id, starts_at) index, then each one's assignments.
 */
export function listActiveAssignmentsInWindow(db: Executor, orgId: OrgId, query: ActiveAssignmentQuery) {
  let select = db
    .selectFrom('missions as m')
    .innerJoin('assignments as a', 'a.mission_id', 'm.id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'a.status',
      'u.first_name',
      'u.last_name',
      'm.id as mission_id',
      'm.title',
      'm.starts_at',
      'm.ends_at',
    ])
    .where('m.org_id', '=', orgId)
    .where('a.org_id', '=', orgId)
    .where('a.status', 'in', ['INVITED', 'ACCEPTED'])
    .where('m.starts_at', '<', query.to)
    .where('m.starts_at', '>', new Date(Date.parse(query.from) - LONGEST_MISSION_MS).toISOString())
    .where('m.ends_at', '>', query.from);
  if (query.cursor) select = select.where(after(['m.starts_at', 'a.id'], query.cursor));
  return select.orderBy('m.starts_at').orderBy('a.id').limit(query.limit).execute();
}
