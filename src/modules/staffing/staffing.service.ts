import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { DAY, isoNow } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import { findUserRow } from '../users/users.repository.js';
import { contextFor, loadBusyContexts, loadRuleSettings, saveRuleSetting } from './busy.repository.js';
import { CONFIGURABLE_RULES, judge, LOOKAROUND_MS, type RuleSetting, type RuleSettings } from './rules.js';

export const MAX_CONFLICT_WINDOW_DAYS = 366;

export function describeRules(settings: RuleSettings) {
  const fixed = { value: null, mode: 'block' as const };
  return { overlap_accepted: fixed, busy_elsewhere: fixed, ...settings };
}

export async function getRuleSettings(db: Db, scope: OrgScope) {
  return describeRules(await loadRuleSettings(db, scope.orgId));
}

export async function updateRuleSettings(
  db: Db,
  scope: OrgScope,
  changes: Partial<Record<string, Partial<RuleSetting>>>,
) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const before = await loadRuleSettings(tx, orgId);
    const after: RuleSettings = structuredClone(before);
    for (const rule of CONFIGURABLE_RULES) {
      const change = changes[rule];
      if (!change) continue;
      after[rule] = {
        value: before[rule].value === null ? null : (change.value ?? before[rule].value),
        mode: change.mode ?? before[rule].mode,
      };
      await saveRuleSetting(tx, orgId, rule, after[rule].value ?? 0, after[rule].mode);
    }
    await recordAudit(tx, scope, {
      orgId,
      action: 'settings.rules_update',
      entityType: 'org_rules',
      entityId: orgId,
      before,
      after,
    });
    return describeRules(after);
  });
}

/** Every rule the person's active assignments in the window currently meet, each judged against the others. */
export async function listConflicts(
  db: Db,
  scope: OrgScope,
  userId: string,
  window: { from?: string | undefined; to?: string | undefined },
) {
  const from = Date.parse(window.from ?? isoNow());
  const to = window.to ? Date.parse(window.to) : from + 90 * DAY;
  if (to <= from || to - from > MAX_CONFLICT_WINDOW_DAYS * DAY) {
    throw new AppError(
      'validation_failed',
      `to must be after from, at most ${MAX_CONFLICT_WINDOW_DAYS} days later`,
      {
        errors: [{ location: 'querystring', path: '/to', message: 'window out of range' }],
      },
    );
  }
  const { orgId } = scope;
  if (!(await findUserRow(db, orgId, userId))) throw notFound('User');
  const [settings, contexts] = await Promise.all([
    loadRuleSettings(db, orgId),
    loadBusyContexts(db, {
      orgId,
      userIds: [userId],
      window: { start: from - LOOKAROUND_MS, end: to + LOOKAROUND_MS },
    }),
  ]);
  const context = contextFor(contexts, userId);
  const items = context.assignments
    .filter((a) => a.start < to && a.end > from)
    .sort((a, b) => a.start - b.start || a.assignmentId.localeCompare(b.assignmentId))
    .map((a) => ({
      assignment_id: a.assignmentId,
      mission_id: a.missionId,
      mission_title: a.title,
      starts_at: new Date(a.start).toISOString(),
      ends_at: new Date(a.end).toISOString(),
      status: a.status,
      reasons: judge(a, contextFor(contexts, userId, a.assignmentId), settings),
    }))
    .filter((item) => item.reasons.length > 0);
  return { items, next_cursor: null };
}
