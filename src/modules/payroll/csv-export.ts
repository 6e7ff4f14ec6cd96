import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { safeCell } from '../../platform/csv-cells.js';
import { formatCents, formatHours } from '../pay/pricing.js';
import type { PersonMonth } from './totals.js';

/**
 * CSV for a French Excel: `;`-separated, UTF-8 with a BOM, CRLF line ends, decimals with a point or a comma.
 * Hours are decimal hours with two decimals; amounts are in the currency's unit with two decimals, empty when
 * the caller may not see money.
 */
export type DecimalMark = 'point' | 'comma';

export const MONTHLY_COLUMNS = [
  'user_id',
  'user_name',
  'employment_type',
  'month',
  'hours_planned',
  'hours_worked',
  'hours_confirmed',
  'cachets',
  'night_hours',
  'sunday_hours',
  'holiday_hours',
  'overtime_hours',
  'amount',
  'currency',
] as const;

export const AEM_COLUMNS = [
  'user_id',
  'user_name',
  'employment_type',
  'month',
  'basis',
  'hours',
  'cachets',
  'gross_amount',
  'currency',
] as const;

interface CsvOptions {
  decimal: DecimalMark;
  currency: string;
  amountsVisible: boolean;
}

function csvStream(columns: readonly string[], records: AsyncIterable<string[]>): Readable {
  const csv = stringify({
    delimiter: ';',
    bom: true,
    header: true,
    columns: [...columns],
    record_delimiter: 'windows',
  });
  return Readable.from(
    (async function* () {
      for await (const record of records) yield record.map(safeCell); // formula injection, csv-cells.ts
    })(),
  ).pipe(csv);
}

export function monthlyCsv(rows: AsyncIterable<PersonMonth>, o: CsvOptions): Readable {
  const d = o.decimal === 'comma' ? ',' : '.';
  const h = (minutes: number) => formatHours(minutes, d);
  return csvStream(
    MONTHLY_COLUMNS,
    (async function* () {
      for await (const t of rows) {
        yield [
          t.user_id,
          t.user_name,
          t.employment_type,
          t.month,
          h(t.planned_minutes),
          h(t.worked_minutes),
          h(t.approved_minutes),
          String(t.cachets),
          h(t.night_minutes),
          h(t.sunday_minutes),
          h(t.holiday_minutes),
          h(t.overtime_minutes),
          o.amountsVisible ? formatCents(t.amount_cents, d) : '',
          o.currency,
        ];
      }
    })(),
  );
}

/**
 * What an AEM (attestation employeur mensuelle) asks per person per month: employment type, hours or cachets,
 * gross amount. One line per person with approved work; `basis` says whether hours, cachets or both count.
 */
export function aemCsv(rows: AsyncIterable<PersonMonth>, o: CsvOptions): Readable {
  const d = o.decimal === 'comma' ? ',' : '.';
  return csvStream(
    AEM_COLUMNS,
    (async function* () {
      for await (const t of rows) {
        if (t.approved_minutes === 0 && t.cachets === 0) continue;
        const hoursMinutes = t.approved_minutes - t.cachet_minutes;
        const basis = t.cachets > 0 ? (hoursMinutes > 0 ? 'HOURS_AND_CACHETS' : 'CACHETS') : 'HOURS';
        yield [
          t.user_id,
          t.user_name,
          t.employment_type,
          t.month,
          basis,
          formatHours(Math.max(0, hoursMinutes), d),
          String(t.cachets),
          o.amountsVisible ? formatCents(t.amount_cents, d) : '',
          o.currency,
        ];
      }
    })(),
  );
}
