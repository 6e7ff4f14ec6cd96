import type { PayBasis } from '../../platform/db/tables.js';

/**
 * Pure money arithmetic, in integer minor units (cents). The rule, written down in docs/hours-and-pay.md:
 * a line's amount is computed exactly (integers: minutes × cents × percent) and rounded half-up ONCE, to the
 * cent. The premium breakdown rounds each premium half-up on its own, and the base is what remains, so the
 * breakdown always adds up to the line's amount.
 */

export interface Rate {
  basis: PayBasis;
  base_amount_cents: number;
  night_premium_pct: number | null;
  sunday_premium_pct: number | null;
  holiday_premium_pct: number | null;
  overtime_premium_pct: number | null;
  overtime_weekly_threshold_minutes: number | null;
}

export interface LineQuantities {
  basis: PayBasis;
  worked_minutes: number;
  night_minutes: number;
  sunday_minutes: number;
  holiday_minutes: number;
  overtime_minutes: number;
  cachets: number;
}

export const PREMIUMS = ['night', 'sunday', 'holiday', 'overtime'] as const;
export type Premium = (typeof PREMIUMS)[number];
export type PremiumAmounts = Record<Premium, number>;

export interface LineAmount {
  amount_cents: number;
  base_cents: number;
  premiums: PremiumAmounts;
}

export const noPremiums = (): PremiumAmounts => ({ night: 0, sunday: 0, holiday: 0, overtime: 0 });

/** ⌊n / d + ½⌋ for n ≥ 0, d > 0, in exact integer arithmetic. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

// minutes × cents/hour × percent → cents: divide by 60 (minutes per hour) × 100 (percent).
const HOURLY_DENOMINATOR = 6000n;
const HOURLY = 6000;

/**
 * `divideHalfUp` in plain numbers, when the numerator is a safe integer ≥ 0 (the division of two integers below
 * 2^53 never rounds across an integer; the correction steps are a belt for the braces). `undefined` otherwise,
 * for the caller to take the exact bigint path.
 */
function halfUpNumber(numerator: number, denominator: number): number | undefined {
  const doubled = 2 * numerator + denominator;
  if (!(numerator >= 0) || !Number.isSafeInteger(doubled)) return undefined;
  const d = 2 * denominator;
  let q = Math.floor(doubled / d);
  if (q * d > doubled) q -= 1;
  else if ((q + 1) * d <= doubled) q += 1;
  return q;
}

/**
 * The amount of one engagement line at a rate. Premiums apply to hourly lines only (each a percentage of the
 * hourly base, added, never compounded); a daily line is one day at the daily rate, a cachet line is
 * `cachets × rate`. The caller makes sure the line's basis is the rate's basis.
 */
export function priceLine(line: LineQuantities, rate: Rate): LineAmount {
  if (line.basis === 'DAILY') return flat(rate.base_amount_cents);
  if (line.basis === 'CACHET') return flat(rate.base_amount_cents * line.cachets);
  return priceHourlyInNumbers(line, rate) ?? priceHourlyExactly(line, rate);
}

/**
 * The same integers as `priceHourlyExactly` in plain numbers, which an export prices tens of thousands of times
 * (bigints cost microseconds each): only when every product and the sum are safe integers ≥ 0, so nothing is
 * rounded; otherwise `undefined`.
 */
function priceHourlyInNumbers(line: LineQuantities, rate: Rate): LineAmount | undefined {
  const cents = rate.base_amount_cents;
  const night = line.night_minutes * cents * (rate.night_premium_pct ?? 0);
  const sunday = line.sunday_minutes * cents * (rate.sunday_premium_pct ?? 0);
  const holiday = line.holiday_minutes * cents * (rate.holiday_premium_pct ?? 0);
  const overtime = line.overtime_minutes * cents * (rate.overtime_premium_pct ?? 0);
  const exact = line.worked_minutes * cents * 100 + night + sunday + holiday + overtime;
  if (!(safe(night) && safe(sunday) && safe(holiday) && safe(overtime) && safe(exact))) return undefined;
  const amount = halfUpNumber(exact, HOURLY);
  const premiums = {
    night: halfUpNumber(night, HOURLY),
    sunday: halfUpNumber(sunday, HOURLY),
    holiday: halfUpNumber(holiday, HOURLY),
    overtime: halfUpNumber(overtime, HOURLY),
  };
  if (
    amount === undefined ||
    premiums.night === undefined ||
    premiums.sunday === undefined ||
    premiums.holiday === undefined ||
    premiums.overtime === undefined
  )
    return undefined;
  const premiumTotal = premiums.night + premiums.sunday + premiums.holiday + premiums.overtime;
  return { amount_cents: amount, base_cents: amount - premiumTotal, premiums: premiums as PremiumAmounts };
}

const safe = (n: number) => n >= 0 && Number.isSafeInteger(n);

function priceHourlyExactly(line: LineQuantities, rate: Rate): LineAmount {
  const cents = BigInt(rate.base_amount_cents);
  const premiumParts: Record<Premium, bigint> = {
    night: BigInt(line.night_minutes) * cents * BigInt(rate.night_premium_pct ?? 0),
    sunday: BigInt(line.sunday_minutes) * cents * BigInt(rate.sunday_premium_pct ?? 0),
    holiday: BigInt(line.holiday_minutes) * cents * BigInt(rate.holiday_premium_pct ?? 0),
    overtime: BigInt(line.overtime_minutes) * cents * BigInt(rate.overtime_premium_pct ?? 0),
  };
  let exact = BigInt(line.worked_minutes) * cents * 100n;
  for (const premium of PREMIUMS) exact += premiumParts[premium];
  const amount = Number(divideHalfUp(exact, HOURLY_DENOMINATOR));
  const premiums = noPremiums();
  let premiumTotal = 0;
  for (const premium of PREMIUMS) {
    premiums[premium] = Number(divideHalfUp(premiumParts[premium], HOURLY_DENOMINATOR));
    premiumTotal += premiums[premium];
  }
  return { amount_cents: amount, base_cents: amount - premiumTotal, premiums };
}

function flat(amount: number): LineAmount {
  return { amount_cents: amount, base_cents: amount, premiums: noPremiums() };
}

export interface OvertimeInput {
  /** the week the line belongs to (the local Monday of its start, as a date or a day number) */
  week: string | number;
  startMs: number;
  worked_minutes: number;
  /** the weekly threshold of the line's rate, null when its rate has no overtime premium */
  threshold: number | null;
}

/**
 * Overtime minutes of each line: a person's hourly lines are counted in start order within their week; the
 * minutes of a line beyond its rate's weekly threshold (counting the earlier lines of the week) are overtime.
 * Returns one number per input line, in input order.
 */
export function weeklyOvertime(lines: readonly OvertimeInput[]): number[] {
  const order = lines.map((_, i) => i).sort((a, b) => lines[a]!.startMs - lines[b]!.startMs);
  const cumulative = new Map<string | number, number>();
  const overtime = new Array<number>(lines.length).fill(0);
  for (const i of order) {
    const line = lines[i]!;
    const before = cumulative.get(line.week) ?? 0;
    const after = before + line.worked_minutes;
    cumulative.set(line.week, after);
    if (line.threshold !== null) overtime[i] = Math.max(0, after - Math.max(line.threshold, before));
  }
  return overtime;
}

/** Cents as a decimal string with two decimals, "1234.50" or "1234,50" (the CSV's decimal comma option). */
export function formatCents(cents: number, decimal: '.' | ',' = '.'): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}${decimal}${String(abs % 100).padStart(2, '0')}`;
}

/** Minutes as decimal hours with two decimals (half-up), "7.50". */
export function formatHours(minutes: number, decimal: '.' | ',' = '.'): string {
  const hundredths = halfUpNumber(minutes * 100, 60) ?? Number(divideHalfUp(BigInt(minutes) * 100n, 60n));
  return `${Math.floor(hundredths / 100)}${decimal}${String(hundredths % 100).padStart(2, '0')}`;
}
