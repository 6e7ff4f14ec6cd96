import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { notFound } from '../../platform/errors.js';
import { zonedMonthOf } from '../../platform/timezone.js';
import { contextFor, loadBusyContexts, loadRuleSettings } from '../staffing/busy.repository.js';
import { isBlocking, judge, LOOKAROUND_MS, type Reason } from '../staffing/rules.js';
import { factsLoader, findMissionRole, listCandidates } from './suggestions.repository.js';

type Candidate = Awaited<ReturnType<typeof listCandidates>>[number];

/** A skill's levels, highest first (user_skills: `level BETWEEN 1 AND 5`). */
const SKILL_LEVELS = [5, 4, 3, 2, 1];

export const DEFAULT_SUGGESTIONS = 20;

/** How well a person matches the role's skill: 0 qualified (or no skill asked), 1 below the level, 2 without it. */
type SkillTier = 0 | 1 | 2;

export interface Suggestion {
  user: { id: string; first_name: string; last_name: string };
  skill_level: number | null;
  hours_this_month: number;
  declared_available: boolean;
  reasons: string[];
  warnings: Reason[];
}

interface Ranked extends Suggestion {
  tier: SkillTier;
}

// One collator for every comparison: String#localeCompare sets one up per call, which dominated the ranking.
const names = new Intl.Collator('fr', { sensitivity: 'base' });
const byName = (a: Suggestion, b: Suggestion) =>
  names.compare(a.user.last_name, b.user.last_name) ||
  names.compare(a.user.first_name, b.user.first_name) ||
  (a.user.id < b.user.id ? -1 : a.user.id > b.user.id ? 1 : 0);

/**
 * Who to invite to a role, best first. Candidates are the org's active users without an active assignment on the
 * mission and without any blocking reason for it. Ranking: skill match (qualified, then holding the skill below
 * the minimum level, then without it: they stay listed, last), higher level, declared AVAILABLE during the
 * mission, fewest hours already ACCEPTED in the mission's calendar month (in the org's time zone), then last and
 * first name.
 *
 * Everything the ranking needs is known before the rules are applied, and the rules only remove people: so the
 * roster is ranked first, then judged from the top in batches until the page is full. A page of 20 usually costs
 * one batch of busy-time queries for 40 people, not the whole roster. When the role asks for a skill only its
 * holders are read at first (those without it come last anyway); the hours of the month come from the kept
 * `person_month_minutes` (one row per person), never from summing their month of assignments.
 */
export async function suggestForRole(
  db: Db,
  scope: OrgScope,
  missionId: string,
  roleId: string,
  limit: number,
): Promise<{ items: Suggestion[]; next_cursor: null }> {
  const { orgId } = scope;
  const found = await findMissionRole(db, orgId, missionId, roleId);
  if (!found) throw notFound('Mission');
  if (!found.role_id) throw notFound('Role');
  const mission = { start: Date.parse(found.starts_at), end: Date.parse(found.ends_at) };
  // Fairness counts the hours of the month as the org lives it, in its own time zone.
  const month = zonedMonthOf(found.starts_at, found.timezone);
  const monthName = `${month.label} (${found.timezone})`;
  const skill = found.skill;
  const minLevel = found.min_level;

  const settings = loadRuleSettings(db, orgId);
  settings.catch(() => undefined); // awaited by the first batch; never an unhandled rejection meanwhile
  const toRanked = (candidate: Candidate): Ranked => {
    const level = skill === null ? null : (candidate.skill_level ?? null);
    const tier: SkillTier =
      skill === null || (level !== null && (minLevel === null || level >= minLevel))
        ? 0
        : level === null
          ? 2
          : 1;
    return {
      tier,
      user: { id: candidate.id, first_name: candidate.first_name, last_name: candidate.last_name },
      skill_level: level,
      hours_this_month: 0,
      declared_available: false,
      reasons: [],
      warnings: [],
    };
  };
  // Rank groups in order: (skill tier, then level) is the level from the highest down — a tier-1 level is below
  // the minimum every tier-0 level reaches — then the people without the skill. Each group is read only when the
  // page reaches it (holders through the skill's index, one level at a time); within one, declared availability
  // and fairness decide, so those facts are loaded group by group too.
  const pending: (() => Promise<Candidate[]>)[] =
    skill === null
      ? [() => listCandidates(db, orgId, missionId, null)]
      : [
          ...SKILL_LEVELS.map(
            (level) => () => listCandidates(db, orgId, missionId, { name: skill, who: 'holding', level }),
          ),
          () => listCandidates(db, orgId, missionId, { name: skill, who: 'lacking' }),
        ];
  const nextGroup = async (): Promise<Ranked[] | null> => {
    for (let read = pending.shift(); read; read = pending.shift()) {
      const group = (await read()).map(toRanked);
      if (group.length > 0) return group;
    }
    return null;
  };
  const facts = factsLoader(db, orgId, { from: found.starts_at, to: found.ends_at }, month.label);
  const ordered: Ranked[] = [];
  const withinGroup = (a: Ranked, b: Ranked) =>
    Number(b.declared_available) - Number(a.declared_available) ||
    a.hours_this_month - b.hours_this_month ||
    byName(a, b);
  /** Orders whole groups until at least `atLeast` people are ordered, loading their facts in one round. */
  const extend = async (atLeast: number) => {
    const next: Ranked[][] = [];
    for (let count = ordered.length; count < atLeast;) {
      const group = await nextGroup();
      if (!group) break;
      next.push(group);
      count += group.length;
    }
    if (next.length === 0) return;
    const { hours, available } = await facts(next.flat().map((c) => c.user.id));
    for (const group of next) {
      for (const c of group) {
        c.hours_this_month = hours.get(c.user.id) ?? 0;
        c.declared_available = available.has(c.user.id);
      }
      ordered.push(...group.sort(withinGroup));
    }
  };

  // Why each is ranked where it is: written only for the people returned, not the whole roster.
  const explain = (c: Suggestion & { tier: SkillTier }): string[] => {
    const reasons: string[] = [];
    if (skill !== null) {
      if (c.tier === 2) reasons.push(`Does not have the skill "${skill}"`);
      else if (c.tier === 1)
        reasons.push(`Has "${skill}" at level ${c.skill_level}, below the minimum ${minLevel}`);
      else
        reasons.push(
          `Has "${skill}" at level ${c.skill_level}${minLevel !== null ? ` (minimum ${minLevel})` : ''}`,
        );
    }
    if (c.declared_available) reasons.push('Declared available during the mission');
    reasons.push(
      c.hours_this_month > 0
        ? `${c.hours_this_month} h already accepted in ${monthName}`
        : `No hours accepted yet in ${monthName}`,
    );
    return reasons;
  };
  const window = { start: mission.start - LOOKAROUND_MS, end: mission.end + LOOKAROUND_MS };
  // Twice the page first; when many of those are blocked (a busy week), each next batch doubles: a handful of
  // rounds of three queries at most, whatever the roster.
  let batchSize = Math.max(2 * limit, 20);
  const items: Suggestion[] = [];
  for (let from = 0; items.length < limit; from += batchSize, batchSize *= 2) {
    await extend(from + batchSize);
    const batch = ordered.slice(from, from + batchSize);
    if (batch.length === 0) break;
    const contexts = await loadBusyContexts(db, { orgId, userIds: batch.map((c) => c.user.id), window });
    for (const ranked of batch) {
      const warnings = judge(mission, contextFor(contexts, ranked.user.id), await settings);
      if (isBlocking(warnings)) continue;
      const reasons = explain(ranked);
      if (warnings.length > 0)
        reasons.push(`${warnings.length} warning(s): ${warnings.map((r) => r.rule).join(', ')}`);
      const { tier: _tier, ...candidate } = ranked;
      items.push({ ...candidate, reasons, warnings });
      if (items.length === limit) break;
    }
  }
  return { items, next_cursor: null };
}
