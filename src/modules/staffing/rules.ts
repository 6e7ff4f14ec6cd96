import { HOUR } from '../../platform/clock.js';
import type { RuleMode } from '../../platform/db/tables.js';

/**
 * The labour and conflict rules, as pure functions over intervals: no database here, so invite, accept, the
 * conflicts list and suggestions all judge alike, and the rules are tested on their own.
 */
export const CONFIGURABLE_RULES = [
  'overlap_invited',
  'unavailable',
  'min_rest',
  'max_hours_24h',
  'max_hours_7d',
] as const;
export type ConfigurableRule = (typeof CONFIGURABLE_RULES)[number];
export type Rule = ConfigurableRule | 'overlap_accepted' | 'busy_elsewhere';

export interface RuleSetting {
  /** hours for min_rest and the max_hours rules; unused otherwise */
  value: number | null;
  mode: RuleMode;
}
export type RuleSettings = Record<ConfigurableRule, RuleSetting>;

/** Legal defaults (French labour law for live entertainment): block on hours and rest, warn otherwise. */
export const DEFAULT_RULES: RuleSettings = {
  overlap_invited: { value: null, mode: 'warn' },
  unavailable: { value: null, mode: 'warn' },
  min_rest: { value: 11, mode: 'block' },
  max_hours_24h: { value: 12, mode: 'block' },
  max_hours_7d: { value: 48, mode: 'block' },
};

export interface Reason {
  rule: Rule;
  severity: RuleMode;
  assignment_id?: string;
  mission_id?: string;
  detail: string;
}

export interface Interval {
  start: number;
  end: number;
}

export interface BusyAssignment extends Interval {
  assignmentId: string;
  missionId: string;
  title: string;
  status: 'INVITED' | 'ACCEPTED';
}

/** Everything the rules need to know about one person around one mission. */
export interface BusyContext {
  /** the person's other active assignments in this org (never the one being judged) */
  assignments: BusyAssignment[];
  /** declared UNAVAILABLE periods */
  unavailable: Interval[];
  /** accepted work in other orgs of the same account: only the time, never what or where */
  elsewhere: Interval[];
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && a.end > b.start;
const hours = (ms: number) => Math.round((ms / HOUR) * 100) / 100;
const iso = (ms: number) => new Date(ms).toISOString();

/** Every reason the person should not, or may not, take the mission. */
export function judge(mission: Interval, context: BusyContext, settings: RuleSettings): Reason[] {
  const reasons: Reason[] = [];
  const accepted = context.assignments.filter((a) => a.status === 'ACCEPTED');

  for (const a of context.assignments.filter((x) => overlaps(x, mission))) {
    const rule = a.status === 'ACCEPTED' ? 'overlap_accepted' : 'overlap_invited';
    reasons.push({
      rule,
      severity: rule === 'overlap_accepted' ? 'block' : settings.overlap_invited.mode,
      assignment_id: a.assignmentId,
      mission_id: a.missionId,
      detail: `Overlaps "${a.title}" (${a.status.toLowerCase()}, ${iso(a.start)} – ${iso(a.end)})`,
    });
  }
  if (context.elsewhere.some((e) => overlaps(e, mission))) {
    reasons.push({
      rule: 'busy_elsewhere',
      severity: 'block',
      detail: 'Already booked by another organisation at this time',
    });
  }
  const unavailable = context.unavailable.find((u) => overlaps(u, mission));
  if (unavailable) {
    reasons.push({
      rule: 'unavailable',
      severity: settings.unavailable.mode,
      detail: `Declared unavailable ${iso(unavailable.start)} – ${iso(unavailable.end)}`,
    });
  }

  const minRest = (settings.min_rest.value ?? 0) * HOUR;
  for (const a of accepted.filter((x) => !overlaps(x, mission))) {
    const gap = a.end <= mission.start ? mission.start - a.end : a.start - mission.end;
    if (gap < minRest) {
      reasons.push({
        rule: 'min_rest',
        severity: settings.min_rest.mode,
        assignment_id: a.assignmentId,
        mission_id: a.missionId,
        detail: `Only ${hours(gap)} h of rest next to "${a.title}" (minimum ${settings.min_rest.value} h)`,
      });
    }
  }

  const work = [...accepted, mission];
  for (const [rule, windowHours] of [
    ['max_hours_24h', 24],
    ['max_hours_7d', 7 * 24],
  ] as const) {
    const limit = settings[rule].value ?? Infinity;
    const worked = maxWorkInWindow(work, mission, windowHours * HOUR);
    if (worked > limit * HOUR) {
      reasons.push({
        rule,
        severity: settings[rule].mode,
        detail: `${hours(worked)} h of work within ${windowHours === 24 ? '24 h' : '7 days'} (maximum ${limit} h)`,
      });
    }
  }
  return reasons;
}

/**
 * The most work in any window of the given length that touches `focus`. The maximum of a sliding window over
 * intervals is reached when the window starts at some interval's start or ends at some interval's end.
 */
export function maxWorkInWindow(all: Interval[], focus: Interval, windowMs: number): number {
  // Overlapping work is counted once: nobody works two hours in one.
  const intervals = merge(all);
  const starts = new Set<number>();
  for (const i of intervals) {
    starts.add(i.start);
    starts.add(i.end - windowMs);
  }
  let best = 0;
  for (const from of starts) {
    const window = { start: from, end: from + windowMs };
    if (!overlaps(window, focus)) continue;
    let total = 0;
    for (const i of intervals)
      total += Math.max(0, Math.min(i.end, window.end) - Math.max(i.start, window.start));
    best = Math.max(best, total);
  }
  return best;
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ start: i.start, end: i.end });
  }
  return merged;
}

export const isBlocking = (reasons: Reason[]) => reasons.some((r) => r.severity === 'block');

/** How far around a mission the rules look: the widest window (7 days) also covers the longest rest (48 h). */
export const LOOKAROUND_MS = 7 * 24 * HOUR;

/**
 * Only what {@link judge} can see around `mission` (within {@link LOOKAROUND_MS}), without the assignment being
 * judged (`except`): the same reasons, from a context loaded for a long window (a year of someone's work),
 * without judging every assignment against all the others.
 */
export function nearby(context: BusyContext, mission: Interval, except?: string): BusyContext {
  const near = { start: mission.start - LOOKAROUND_MS, end: mission.end + LOOKAROUND_MS };
  return {
    assignments: context.assignments.filter((a) => a.assignmentId !== except && overlaps(a, near)),
    unavailable: context.unavailable.filter((u) => overlaps(u, mission)),
    elsewhere: context.elsewhere.filter((e) => overlaps(e, mission)),
  };
}
