import type { Executor } from '../../platform/db/database.js';
import type { ConfigurableRule, RuleSettings, BusyAssignment, BusyContext, Interval } from './rules.js';
import { DEFAULT_RULES } from './rules.js';

/** Missions never last longer than this (missions.schemas MAX_MISSION_DAYS), which bounds the date scans. */
const LONGEST_MISSION_MS = 31 * 24 * 3600_000;

export interface BusyQuery {
  orgId: string;
  /** whose time to load; null for every user of the org */
  userIds: string[] | null;
  window: Interval;
}

const emptyContext = (): BusyContext => ({ assignments: [], unavailable: [], elsewhere: [] });
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (value: string) => Date.parse(value);

/**
 * Each person's active assignments, declared unavailability and accepted work in other orgs overlapping the
 * window: three indexed queries, whatever the number of people (one for accept, the whole roster for
 * suggestions).
 */
export async function loadBusyContexts(db: Executor, query: BusyQuery): Promise<Map<string, BusyContext>> {
  const { orgId, userIds, window } = query;
  const contexts = new Map<string, BusyContext>();
  const of = (userId: string) => {
    let context = contexts.get(userId);
    if (!context) contexts.set(userId, (context = emptyContext()));
    return context;
  };
  if (userIds?.length === 0) return contexts;
  const from = iso(window.start);
  const to = iso(window.end);

  // Missions in the window, then their assignments through the roles: `(role_id, status)` serves the join. The
  // partial unique index on (mission_id, user_id) cannot, as SQLite only matches it against literal predicates.
  let assignments = db
    .selectFrom('missions as m')
    .innerJoin('mission_roles as r', 'r.mission_id', 'm.id')
    .innerJoin('assignments as a', 'a.role_id', 'r.id')
    .select(['a.id', 'a.user_id', 'a.mission_id', 'a.status', 'm.title', 'm.starts_at', 'm.ends_at'])
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '<', to)
    .where('m.starts_at', '>', iso(window.start - LONGEST_MISSION_MS))
    .where('m.ends_at', '>', from)
    .where('a.status', 'in', ['INVITED', 'ACCEPTED']);
  if (userIds) assignments = assignments.where('a.user_id', 'in', userIds);

  let unavailable = db
    .selectFrom('availability')
    .select(['user_id', 'starts_at', 'ends_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', 'UNAVAILABLE')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (userIds) unavailable = unavailable.where('user_id', 'in', userIds);

  let elsewhere = db
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
  if (userIds) elsewhere = elsewhere.where('u.id', 'in', userIds);

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

export function contextFor(
  contexts: Map<string, BusyContext>,
  userId: string,
  excludeAssignmentId?: string,
): BusyContext {
  const context = contexts.get(userId) ?? emptyContext();
  if (!excludeAssignmentId) return context;
  return {
    ...context,
    assignments: context.assignments.filter((a) => a.assignmentId !== excludeAssignmentId),
  };
}

/** The org's rule settings, defaults filled in. */
export async function loadRuleSettings(db: Executor, orgId: string): Promise<RuleSettings> {
  const rows = await db
    .selectFrom('org_rule_settings')
    .select(['rule', 'value', 'mode'])
    .where('org_id', '=', orgId)
    .execute();
  const settings: RuleSettings = structuredClone(DEFAULT_RULES);
  for (const row of rows) {
    const rule = row.rule as ConfigurableRule;
    if (rule in settings)
      settings[rule] = { value: settings[rule].value === null ? null : row.value, mode: row.mode };
  }
  return settings;
}

export async function saveRuleSetting(
  db: Executor,
  orgId: string,
  rule: ConfigurableRule,
  value: number,
  mode: 'block' | 'warn',
) {
  await db
    .insertInto('org_rule_settings')
    .values({ org_id: orgId, rule, value, mode })
    .onConflict((oc) => oc.columns(['org_id', 'rule']).doUpdateSet({ value, mode }))
    .execute();
}
