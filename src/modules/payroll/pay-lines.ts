import type { EmploymentType, PayBasis } from '../../platform/db/tables.js';
import type { EngagementRow } from '../pay/engagements.repository.js';
import { noPremiums, priceLine, weeklyOvertime, type LineAmount, type Rate } from '../pay/pricing.js';
import type { RateResolver } from '../pay/rate-resolution.js';
import { breakDownWork, localDate, minutesBetween, mondayOf, type WorkContext } from '../pay/work-time.js';

/**
 * One person's engagements → pay lines (pure). What counts:
 * - planned minutes: every ACCEPTED assignment; worked minutes: every saved timesheet; approved minutes,
 *   cachets and amounts: APPROVED timesheets only (what payroll pays);
 * - a line belongs to the local month of its mission's planned start;
 * - overtime: approved hourly lines, per local ISO week of their worked start (see `weeklyOvertime`);
 * - a line is priced when a rate profile applies and its basis is the line's basis; otherwise it is unpriced.
 */
export interface PricingContext {
  work: WorkContext;
  resolver: RateResolver;
  rates: ReadonlyMap<string, Rate>;
}

export interface PayLine {
  assignment_id: string;
  user_id: string;
  user_name: string;
  employment_type: EmploymentType;
  project_id: string;
  project_name: string;
  month: string;
  basis: PayBasis;
  approved: boolean;
  planned_minutes: number;
  worked_minutes: number;
  approved_minutes: number;
  night_minutes: number;
  sunday_minutes: number;
  holiday_minutes: number;
  overtime_minutes: number;
  cachets: number;
  priced: boolean;
  amount: LineAmount;
}

const ZERO: LineAmount = { amount_cents: 0, base_cents: 0, premiums: noPremiums() };

/** What a pay line is computed from: an engagement's columns without its texts (title, comment, decisions). */
export type PayLineRow = Pick<
  EngagementRow,
  | 'assignment_id'
  | 'user_id'
  | 'mission_id'
  | 'first_name'
  | 'last_name'
  | 'employment_type'
  | 'planned_start'
  | 'planned_end'
  | 'project_id'
  | 'project_name'
  | 'role_name'
  | 'timesheet_id'
  | 'status'
  | 'worked_start'
  | 'worked_end'
  | 'break_minutes'
  | 'pay_basis'
  | 'cachets'
>;

export function payLines(rows: readonly PayLineRow[], ctx: PricingContext): PayLine[] {
  const lines = rows.map((row) => {
    const saved = row.timesheet_id !== null;
    const approved = row.status === 'APPROVED';
    const work = saved
      ? breakDownWork(row.worked_start!, row.worked_end!, row.break_minutes ?? 0, ctx.work)
      : undefined;
    const profileId = ctx.resolver.resolve(row);
    const rate = profileId ? ctx.rates.get(profileId) : undefined;
    const basis: PayBasis = row.pay_basis ?? rate?.basis ?? 'HOURLY';
    const plannedStart = Date.parse(row.planned_start);
    return {
      row,
      rate,
      startMs: saved ? Date.parse(row.worked_start!) : plannedStart,
      line: {
        assignment_id: row.assignment_id,
        user_id: row.user_id,
        user_name: `${row.first_name} ${row.last_name}`,
        employment_type: row.employment_type,
        project_id: row.project_id,
        project_name: row.project_name,
        month: localDate(plannedStart, ctx.work.timeZone).slice(0, 7),
        basis,
        approved,
        planned_minutes: minutesBetween(row.planned_start, row.planned_end),
        worked_minutes: work?.worked_minutes ?? 0,
        approved_minutes: approved ? (work?.worked_minutes ?? 0) : 0,
        night_minutes: approved ? (work?.night_minutes ?? 0) : 0,
        sunday_minutes: approved ? (work?.sunday_minutes ?? 0) : 0,
        holiday_minutes: approved ? (work?.holiday_minutes ?? 0) : 0,
        overtime_minutes: 0,
        cachets: approved && basis === 'CACHET' ? (row.cachets ?? 1) : 0,
        priced: false,
        amount: ZERO,
      } satisfies PayLine as PayLine,
    };
  });

  const hourly = lines.filter((l) => l.line.approved && l.line.basis === 'HOURLY');
  const overtime = weeklyOvertime(
    hourly.map((l) => ({
      week: mondayOf(localDate(l.startMs, ctx.work.timeZone)),
      startMs: l.startMs,
      worked_minutes: l.line.approved_minutes,
      threshold:
        l.rate?.basis === 'HOURLY' && l.rate.overtime_premium_pct !== null
          ? l.rate.overtime_weekly_threshold_minutes
          : null,
    })),
  );
  hourly.forEach((l, i) => (l.line.overtime_minutes = overtime[i]!));

  for (const { line, rate } of lines) {
    if (!line.approved || !rate || rate.basis !== line.basis) continue;
    line.priced = true;
    line.amount = priceLine(
      {
        basis: line.basis,
        worked_minutes: line.approved_minutes,
        night_minutes: line.night_minutes,
        sunday_minutes: line.sunday_minutes,
        holiday_minutes: line.holiday_minutes,
        overtime_minutes: line.overtime_minutes,
        cachets: line.cachets,
      },
      rate,
    );
  }
  return lines.map((l) => l.line);
}
