import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import { precompiled } from '../../platform/db/precompiled.js';
import type { ConfigurableRule, RuleSettings, BusyAssignment, BusyContext, Interval } from './rules.js';
import { DEFAULT_RULES } from './rules.js';

/** Missions never last longer than this (missions.schemas MAX_MISSION_DAYS), which bounds the date scans. */
const LONGEST_MISSION_MS = 31 * 24 * 3600_000;

export interface BusyQuery {
  orgId: OrgId;
  /** whose time to load (one person for accept, a batch of candidates for suggestions) */
  userIds: string[];
  window: Interval;
}

const emptyContext = (): BusyContext => ({ assignments: [], unavailable: [], elsewhere: [] });
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (value: string) => Date.parse(value);

// The three busy-time statements. Built once for one person (accept, a person's conflicts: the hot paths), per
// call for a batch (its `in` list varies).

/** Their assignments by (user_id, status), then each mission by its id. */
const activeAssignments = (
  db: Executor,
  userIds: string[],
  orgId: string,
  to: string,
  lookback: string,
  from: string,
) =>
  db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select(['a.id', 'a.user_id', 'a.mission_id', 'a.status', 'm.title', 'm.starts_at', 'm.ends_at'])
    .where('a.user_id', 'in', userIds)
    .where('a.status', 'in', ['INVITED', 'ACCEPTED'])
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '<', to)
    .where('m.starts_at', '>', lookback)
    .where('m.ends_at', '>', from);

const unavailablePeriods = (db: Executor, orgId: string, userIds: string[], to: string, from: string) =>
  db
    .selectFrom('availability')
    .select(['user_id', 'starts_at', 'ends_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', 'UNAVAILABLE')
    .where('user_id', 'in', userIds)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);

/** Accepted work of the same accounts in other orgs: only its time. */
const workElsewhere = (db: Executor, orgId: string, userIds: string[], to: string, from: string) =>
  db
    .selectFrom('users as u')
    .innerJoin('users as other', (join) =>
      join.onRef('other.account_id', '=', 'u.account_id').onRef('other.org_id', '!=', 'u.org_id'),
    )
    .innerJoin('assignments as a', 'a.user_id', 'other.id')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select(['u.id as user_id', 'm.starts_at', 'm.ends_at'])
    .where('u.org_id', '=', orgId)
    .where('u.id', 'in', userIds)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.starts_at', '<', to)
    .where('m.ends_at', '>', from);

const activeOfOne = precompiled(
  (db: Executor, userId: string, orgId: string, to: string, lookback: string, from: string) =>
    activeAssignments(db, [userId], orgId, to, lookback, from),
);
const unavailableOfOne = precompiled(
  (db: Executor, orgId: string, userId: string, to: string, from: string) =>
    unavailablePeriods(db, orgId, [userId], to, from),
);
const elsewhereOfOne = precompiled((db: Executor, orgId: string, userId: string, to: string, from: string) =>
  workElsewhere(db, orgId, [userId], to, from),
);

/**
 * Each person's active assignments, declared unavailability and accepted work in other orgs overlapping the
 * window: three queries on the people's own indexes, whatever their number.
 */
export async function loadBusyContexts(db: Executor, query: BusyQuery): Promise<Map<string, BusyContext>> {
  const { orgId, userIds, window } = query;
  const contexts = new Map<string, BusyContext>();
  const of = (userId: string) => {
    let context = contexts.get(userId);
    if (!context) contexts.set(userId, (context = emptyContext()));
    return context;
  };
  if (userIds.length === 0) return contexts;
  const from = iso(window.start);
  const to = iso(window.end);

  const [activeRows, unavailableRows, elsewhereRows] = await (userIds.length === 1
    ? Promise.all([
        activeOfOne(db, userIds[0]!, orgId, to, iso(window.start - LONGEST_MISSION_MS), from),
        unavailableOfOne(db, orgId, userIds[0]!, to, from),
        elsewhereOfOne(db, orgId, userIds[0]!, to, from),
      ])
    : Promise.all([
        activeAssignments(db, userIds, orgId, to, iso(window.start - LONGEST_MISSION_MS), from).execute(),
        unavailablePeriods(db, orgId, userIds, to, from).execute(),
        workElsewhere(db, orgId, userIds, to, from).execute(),
      ]));
  for (const row of activeRows) {
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

/** The ACCEPTED assignments of a mission, in user id order (the order their row locks are taken in). */
export function listAcceptedCrew(db: Executor, orgId: OrgId, missionId: string) {
  return db
    .selectFrom('assignments')
    .select(['id', 'user_id'])
    .where('org_id', '=', orgId)
    .where('mission_id', '=', missionId)
    .where('status', '=', 'ACCEPTED')
    .orderBy('user_id')
    .execute();
}

const ruleSettingRows = precompiled((db: Executor, orgId: string) =>
  db.selectFrom('org_rule_settings').select(['rule', 'value', 'mode']).where('org_id', '=', orgId),
);

/** The org's rule settings, defaults filled in. */
export async function loadRuleSettings(db: Executor, orgId: OrgId): Promise<RuleSettings> {
  const rows = await ruleSettingRows(db, orgId);
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
  orgId: OrgId,
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
