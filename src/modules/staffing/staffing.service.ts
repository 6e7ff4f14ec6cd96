import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { loadRuleSettings, saveRuleSetting } from './busy.repository.js';
import { CONFIGURABLE_RULES, type RuleSetting, type RuleSettings } from './rules.js';

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
