import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { PersonMonth } from './totals.js';

/**
 * XLSX through exceljs's streaming writer: each row is committed (written out) as soon as it is added, so the
 * workbook is never held in memory. Hours are numbers (decimal hours), amounts numbers in the currency's unit.
 */
export function monthlyXlsx(
  rows: AsyncIterable<PersonMonth>,
  o: { currency: string; amountsVisible: boolean; month: string },
): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(o.month);
  sheet.columns = [
    { header: 'user_id', key: 'user_id', width: 38 },
    { header: 'user_name', key: 'user_name', width: 28 },
    { header: 'employment_type', key: 'employment_type', width: 16 },
    { header: 'month', key: 'month', width: 9 },
    { header: 'hours_planned', key: 'hours_planned', width: 14, style: { numFmt: '0.00' } },
    { header: 'hours_worked', key: 'hours_worked', width: 14, style: { numFmt: '0.00' } },
    { header: 'hours_confirmed', key: 'hours_confirmed', width: 16, style: { numFmt: '0.00' } },
    { header: 'cachets', key: 'cachets', width: 9 },
    { header: 'amount', key: 'amount', width: 14, style: { numFmt: '0.00' } },
    { header: 'currency', key: 'currency', width: 9 },
  ];
  const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;
  void (async () => {
    try {
      for await (const t of rows) {
        sheet
          .addRow({
            user_id: t.user_id,
            user_name: t.user_name,
            employment_type: t.employment_type,
            month: t.month,
            hours_planned: hours(t.planned_minutes),
            hours_worked: hours(t.worked_minutes),
            hours_confirmed: hours(t.approved_minutes),
            cachets: t.cachets,
            amount: o.amountsVisible ? t.amount_cents / 100 : null,
            currency: o.currency,
          })
          .commit();
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
