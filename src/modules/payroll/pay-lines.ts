import type { EmploymentType, PayBasis } from '../../platform/db/tables.js';
import type { EngagementRow } from '../pay/engagements.repository.js';
import { noPremiums, priceLine, weeklyOvertime, type LineAmount, type Rate } from '../pay/pricing.js';
import type { RateResolver } from '../pay/rate-resolution.js';
import {
  breakDownWorkInto,
  localDay,
  minutesBetween,
  mondayOfDay,
  monthOfDay,
  type WorkBreakdown,
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

/**
 * What one engagement gives on its own, as plain values: a draft line without its person and project. One object
 * is reused for every engagement of an org-wide pass (`draftFields` fills it), so reading a month leaves no
 * object behind per line (`DraftColumns` keeps the values).
 */
export interface DraftFields {
  month: string;
  basis: PayBasis;
  approved: boolean;
  rate: Rate | undefined;
  planned_minutes: number;
  worked_minutes: number;
  approved_minutes: number;
  night_minutes: number;
  sunday_minutes: number;
  holiday_minutes: number;
  cachets: number;
  startMs: number;
  week: number;
  /** scratch for the timesheet's breakdown */
  work: WorkBreakdown;
}

export function emptyDraftFields(): DraftFields {
  return {
    month: '',
    basis: 'HOURLY',
    approved: false,
    rate: undefined,
    planned_minutes: 0,
    worked_minutes: 0,
    approved_minutes: 0,
    night_minutes: 0,
    sunday_minutes: 0,
    holiday_minutes: 0,
    cachets: 0,
    startMs: 0,
    week: 0,
    work: { elapsed_minutes: 0, worked_minutes: 0, night_minutes: 0, sunday_minutes: 0, holiday_minutes: 0 },
  };
}

/** One engagement's draft values, written into `out` (returned). */
export function draftFields(row: LineSource, ctx: PricingContext, out: DraftFields): DraftFields {
  const saved = row.status !== null; // a timesheet's status is never null: null is no timesheet (left join)
  const approved = row.status === 'APPROVED';
  let worked = 0;
  let night = 0;
  let sunday = 0;
  let holiday = 0;
  if (saved) {
    const work = breakDownWorkInto(
      row.worked_start!,
      row.worked_end!,
      row.break_minutes ?? 0,
      ctx.work,
      out.work,
    );
    worked = work.worked_minutes;
    night = work.night_minutes;
    sunday = work.sunday_minutes;
    holiday = work.holiday_minutes;
  }
  const profileId = ctx.resolver.resolve(row);
  const rate = profileId ? ctx.rates.get(profileId) : undefined;
  const basis: PayBasis = row.pay_basis ?? rate?.basis ?? 'HOURLY';
  const plannedStart = Date.parse(row.planned_start);
  const startMs = saved ? Date.parse(row.worked_start!) : plannedStart;
  const { timeZone } = ctx.work;
  out.month = monthOfDay(localDay(plannedStart, timeZone));
  out.basis = basis;
  out.approved = approved;
  out.rate = rate;
  out.planned_minutes = minutesBetween(row.planned_start, row.planned_end);
  out.worked_minutes = worked;
  out.approved_minutes = approved ? worked : 0;
  out.night_minutes = approved ? night : 0;
  out.sunday_minutes = approved ? sunday : 0;
  out.holiday_minutes = approved ? holiday : 0;
  out.cachets = approved && basis === 'CACHET' ? (row.cachets ?? 1) : 0;
  out.startMs = startMs;
  out.week = mondayOfDay(localDay(startMs, timeZone));
  return out;
}

/** A draft line of its person and project, from its values (a fresh line: pricing fills it in later). */
export function lineDraftOf(f: DraftFields, owner: LineOwner, project: LineProject): LineDraft {
  return {
    rate: f.rate,
    startMs: f.startMs,
    week: f.week,
    line: {
      user_id: owner.user_id,
      user_name: owner.user_name,
      employment_type: owner.employment_type,
      project_id: project.project_id,
      project_name: project.project_name,
      month: f.month,
      basis: f.basis,
      approved: f.approved,
      planned_minutes: f.planned_minutes,
      worked_minutes: f.worked_minutes,
      approved_minutes: f.approved_minutes,
      night_minutes: f.night_minutes,
      sunday_minutes: f.sunday_minutes,
      holiday_minutes: f.holiday_minutes,
      overtime_minutes: 0,
      cachets: f.cachets,
      priced: false,
      amount: ZERO_AMOUNT,
    },
  };
}

export function draftLine(
  row: LineSource,
  owner: LineOwner,
  project: LineProject,
  ctx: PricingContext,
): LineDraft {
  return lineDraftOf(draftFields(row, ctx, emptyDraftFields()), owner, project);
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
