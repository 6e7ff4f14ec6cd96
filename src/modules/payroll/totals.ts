import type { EmploymentType } from '../../platform/db/tables.js';
import { noPremiums, type PremiumAmounts } from '../pay/pricing.js';
import type { PayLine } from './pay-lines.js';

/** Sums of pay lines (pure): what a person's month and each of its projects add up to. */
export interface Totals {
  lines: number;
  planned_minutes: number;
  worked_minutes: number;
  approved_minutes: number;
  night_minutes: number;
  sunday_minutes: number;
  holiday_minutes: number;
  overtime_minutes: number;
  cachets: number;
  /** approved minutes of cachet lines: the cachets stand for them toward 507 and in the AEM */
  cachet_minutes: number;
  amount_cents: number;
  base_cents: number;
  premiums_cents: PremiumAmounts;
  /** approved lines with no rate of their basis: their amount is missing from `amount_cents` */
  unpriced_lines: number;
}

export interface PersonMonth extends Totals {
  user_id: string;
  user_name: string;
  employment_type: EmploymentType;
  month: string;
  by_project: (Totals & { project_id: string; project_name: string })[];
}

export function addLine(t: Totals, line: PayLine): void {
  t.lines += 1;
  t.planned_minutes += line.planned_minutes;
  t.worked_minutes += line.worked_minutes;
  t.approved_minutes += line.approved_minutes;
  t.night_minutes += line.night_minutes;
  t.sunday_minutes += line.sunday_minutes;
  t.holiday_minutes += line.holiday_minutes;
  t.overtime_minutes += line.overtime_minutes;
  t.cachets += line.cachets;
  if (line.basis === 'CACHET') t.cachet_minutes += line.approved_minutes;
  t.amount_cents += line.amount.amount_cents;
  t.base_cents += line.amount.base_cents;
  // spelled out: a loop over the keys made this the hottest line of an export
  const premiums = line.amount.premiums;
  t.premiums_cents.night += premiums.night;
  t.premiums_cents.sunday += premiums.sunday;
  t.premiums_cents.holiday += premiums.holiday;
  t.premiums_cents.overtime += premiums.overtime;
  if (line.approved && !line.priced) t.unpriced_lines += 1;
}

/** `localeCompare`'s order (the default locale), without building a collator for every comparison. */
const byName = new Intl.Collator().compare;

/**
 * Zeroed totals spelled out as one object literal each: spreading `emptyTotals()` into the wider objects made V8
 * build them in dictionary mode, and `addLine` on them was the slowest step of an export (≈ 30×, measured).
 */
function personTotals(line: PayLine, month: string): PersonMonth {
  return {
    lines: 0,
    planned_minutes: 0,
    worked_minutes: 0,
    approved_minutes: 0,
    night_minutes: 0,
    sunday_minutes: 0,
    holiday_minutes: 0,
    overtime_minutes: 0,
    cachets: 0,
    cachet_minutes: 0,
    amount_cents: 0,
    base_cents: 0,
    premiums_cents: noPremiums(),
    unpriced_lines: 0,
    user_id: line.user_id,
    user_name: line.user_name,
    employment_type: line.employment_type,
    month,
    by_project: [],
  };
}

function projectTotals(line: PayLine): PersonMonth['by_project'][number] {
  return {
    lines: 0,
    planned_minutes: 0,
    worked_minutes: 0,
    approved_minutes: 0,
    night_minutes: 0,
    sunday_minutes: 0,
    holiday_minutes: 0,
    overtime_minutes: 0,
    cachets: 0,
    cachet_minutes: 0,
    amount_cents: 0,
    base_cents: 0,
    premiums_cents: noPremiums(),
    unpriced_lines: 0,
    project_id: line.project_id,
    project_name: line.project_name,
  };
}

/** One person's lines of one month → their month, with a breakdown per project (by project name). */
export function personMonth(lines: readonly PayLine[], month: string): PersonMonth | null {
  let total: PersonMonth | undefined;
  const projects = new Map<string, PersonMonth['by_project'][number]>();
  for (const line of lines) {
    if (line.month !== month) continue;
    total ??= personTotals(line, month);
    addLine(total, line);
    let project = projects.get(line.project_id);
    if (!project) projects.set(line.project_id, (project = projectTotals(line)));
    addLine(project, line);
  }
  if (!total) return null;
  total.by_project = [...projects.values()].sort((a, b) => byName(a.project_name, b.project_name));
  return total;
}

/** Toward the 507 hours of the intermittents' unemployment rights: approved hours plus 12 h per cachet. */
export const HOURS_PER_CACHET = 12;
export const INTERMITTENT_THRESHOLD_HOURS = 507;

export function countedMinutes(lines: readonly PayLine[]) {
  let hoursMinutes = 0;
  let cachets = 0;
  for (const line of lines) {
    if (!line.approved) continue;
    if (line.basis === 'CACHET') cachets += line.cachets;
    else hoursMinutes += line.approved_minutes;
  }
  return {
    hours_minutes: hoursMinutes,
    cachets,
    counted_minutes: hoursMinutes + cachets * HOURS_PER_CACHET * 60,
  };
}
