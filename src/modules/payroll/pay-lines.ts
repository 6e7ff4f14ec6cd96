import type { EmploymentType, PayBasis } from '../../platform/db/tables.js';
import type { EngagementRow } from '../pay/engagements.repository.js';
import { noPremiums, priceLine, weeklyOvertime, type LineAmount, type Rate } from '../pay/pricing.js';
import type { RateResolver } from '../pay/rate-resolution.js';
import {
  breakDownWork,
  localDay,
  minutesBetween,
  mondayOfDay,
  monthOfDay,
  type WorkContext,
} from '../pay/work-time.js';

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

/** The amount of a line not priced (yet): shared, never mutated (pricing replaces it). */
export const ZERO_AMOUNT: LineAmount = { amount_cents: 0, base_cents: 0, premiums: noPremiums() };

/** What a pay line is computed from: an engagement's columns without its texts (title, comment, decisions). */
export type PayLineRow = Pick<
  EngagementRow,
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
  | 'status'
  | 'worked_start'
  | 'worked_end'
  | 'break_minutes'
  | 'pay_basis'
  | 'cachets'
>;

/** The engagement's own columns, without the person's and the project's (which the caller may share). */
export type LineSource = Omit<
  PayLineRow,
  'first_name' | 'last_name' | 'employment_type' | 'project_id' | 'project_name'
>;

/** Who and what a line is for: strings an org-wide pass reads once and shares between the lines. */
export interface LineOwner {
  user_id: string;
  user_name: string;
  employment_type: EmploymentType;
}
export interface LineProject {
  project_id: string;
  project_name: string;
}

/** A pay line as one engagement gives it on its own: overtime and amount wait for the person's other lines. */
export interface LineDraft {
  line: PayLine;
  rate: Rate | undefined;
  /** the worked start (planned start until a timesheet is saved): the order of the week for overtime */
  startMs: number;
  /** the day number of the local Monday of `startMs` */
  week: number;
}

export function draftLine(
  row: LineSource,
  owner: LineOwner,
  project: LineProject,
  ctx: PricingContext,
): LineDraft {
  const saved = row.status !== null; // a timesheet's status is never null: null is no timesheet (left join)
  const approved = row.status === 'APPROVED';
  const work = saved
    ? breakDownWork(row.worked_start!, row.worked_end!, row.break_minutes ?? 0, ctx.work)
    : undefined;
  const profileId = ctx.resolver.resolve(row);
  const rate = profileId ? ctx.rates.get(profileId) : undefined;
  const basis: PayBasis = row.pay_basis ?? rate?.basis ?? 'HOURLY';
  const plannedStart = Date.parse(row.planned_start);
  const startMs = saved ? Date.parse(row.worked_start!) : plannedStart;
  const { timeZone } = ctx.work;
  return {
    rate,
    startMs,
    week: mondayOfDay(localDay(startMs, timeZone)),
    line: {
      user_id: owner.user_id,
      user_name: owner.user_name,
      employment_type: owner.employment_type,
      project_id: project.project_id,
      project_name: project.project_name,
      month: monthOfDay(localDay(plannedStart, timeZone)),
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
      amount: ZERO_AMOUNT,
    },
  };
}

/** One person's drafts (in mission start order) → their lines: weekly overtime, then each line's amount. */
export function finishLines(drafts: readonly LineDraft[]): PayLine[] {
  const hourly = drafts.filter((l) => l.line.approved && l.line.basis === 'HOURLY');
  const overtime = weeklyOvertime(
    hourly.map((l) => ({
      week: l.week,
      startMs: l.startMs,
      worked_minutes: l.line.approved_minutes,
      threshold:
        l.rate?.basis === 'HOURLY' && l.rate.overtime_premium_pct !== null
          ? l.rate.overtime_weekly_threshold_minutes
          : null,
    })),
  );
  hourly.forEach((l, i) => (l.line.overtime_minutes = overtime[i]!));

  const lines: PayLine[] = [];
  for (const { line, rate } of drafts) {
    lines.push(line);
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
  return lines;
}

/** One person's engagements (in mission start order) → pay lines. */
export function payLines(rows: readonly PayLineRow[], ctx: PricingContext): PayLine[] {
  return finishLines(
    rows.map((row) =>
      draftLine(
        row,
        {
          user_id: row.user_id,
          user_name: `${row.first_name} ${row.last_name}`,
          employment_type: row.employment_type,
        },
        row,
        ctx,
      ),
    ),
  );
}
