import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { month } from './month-fixture.js';

// pdf.js reads the 14 standard fonts' metrics from its own package.
const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;
const open = (body: Buffer) => getDocument({ data: new Uint8Array(body), standardFontDataUrl }).promise;

/** The text of each page, as an independent PDF reader (pdf.js) extracts it. */
async function pdfPages(body: Buffer): Promise<string[]> {
  const pdf = await open(body);
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  return pages;
}

describe.each(DIALECTS)('payroll exports on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('CSV: BOM, `;`, CRLF, the header the payroll office expects, decimal comma on request', async () => {
    const { org, kit, rigger, musician } = await month(ctx);
    const res = await kit.get(org.admin.headers, '/pay/exports/monthly.csv?month=2031-03&decimal=comma');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="hours-2031-03.csv"');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(res.body).toContain('\r\n');
    const records = parse(res.rawPayload, { bom: true, delimiter: ';', columns: true }) as Record<
      string,
      string
    >[];
    expect(Object.keys(records[0]!).slice(0, 7)).toEqual([
      'user_id',
      'user_name',
      'employment_type',
      'month',
      'hours_planned',
      'hours_worked',
      'hours_confirmed',
    ]);
    expect(records).toEqual([
      expect.objectContaining({ user_id: musician, hours_confirmed: '3,00', cachets: '2', amount: '300,00' }),
      expect.objectContaining({
        user_id: rigger,
        user_name: 'Alex Rigger',
        month: '2031-03',
        hours_planned: '48,00',
        hours_worked: '44,00',
        hours_confirmed: '44,00',
        night_hours: '6,00',
        overtime_hours: '9,00',
        amount: '995,00',
        currency: 'EUR',
      }),
    ]);
    const point = await kit.get(org.admin.headers, '/pay/exports/monthly.csv?month=2031-03');
    expect(parse(point.rawPayload, { bom: true, delimiter: ';', columns: true })[1]).toMatchObject({
      amount: '995.00',
    });
  });

  it('CSV for a manager without the right to see amounts: hours, and empty amounts', async () => {
    const { org, kit } = await month(ctx);
    const res = await kit.get(org.manager.headers, '/pay/exports/monthly.csv?month=2031-03');
    const records = parse(res.rawPayload, { bom: true, delimiter: ';', columns: true }) as Record<
      string,
      string
    >[];
    expect(records.map((r) => [r.hours_confirmed, r.amount])).toEqual([
      ['3.00', ''],
      ['44.00', ''],
    ]);
  });

  it('AEM CSV: employment type, hours or cachets, gross amount', async () => {
    const { org, kit, rigger, musician } = await month(ctx);
    const res = await kit.get(org.owner.headers, '/pay/exports/aem.csv?month=2031-03');
    expect(res.statusCode).toBe(200);
    expect(parse(res.rawPayload, { bom: true, delimiter: ';', columns: true })).toEqual([
      {
        user_id: musician,
        user_name: 'Billie Musician',
        employment_type: 'INTERMITTENT',
        month: '2031-03',
        basis: 'CACHETS',
        hours: '0.00',
        cachets: '2',
        gross_amount: '300.00',
        currency: 'EUR',
      },
      {
        user_id: rigger,
        user_name: 'Alex Rigger',
        employment_type: 'INTERMITTENT',
        month: '2031-03',
        basis: 'HOURS',
        hours: '44.00',
        cachets: '0',
        gross_amount: '995.00',
        currency: 'EUR',
      },
    ]);
  });

  it('XLSX read back by exceljs: one sheet, hours and amounts as numbers', async () => {
    const { org, kit, rigger } = await month(ctx);
    const res = await kit.get(org.admin.headers, '/pay/exports/monthly.xlsx?month=2031-03');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('2031-03')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'user_id',
      'user_name',
      'employment_type',
      'month',
      'hours_planned',
      'hours_worked',
      'hours_confirmed',
      'cachets',
      'amount',
      'currency',
    ]);
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(3).values).toEqual([
      undefined,
      rigger,
      'Alex Rigger',
      'INTERMITTENT',
      '2031-03',
      48,
      44,
      44,
      0,
      995,
      'EUR',
    ]);
  });

  it('PDF: A4, one page per person, its text extracted by pdf.js', async () => {
    const { org, kit } = await month(ctx);
    const res = await kit.get(org.admin.headers, '/pay/exports/statements.pdf?month=2031-03');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = await pdfPages(res.rawPayload);
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('Billie Musician');
    expect(pages[1]).toContain('Alex Rigger');
    expect(pages[1]).toContain('Relevé d’heures');
    expect(pages[1]).toContain('44,00');
    expect(pages[1]).toContain('995,00 EUR');
    const pdf = await open(res.rawPayload);
    const { view } = await pdf.getPage(1);
    expect(view.map(Math.round)).toEqual([0, 0, 595, 842]); // A4 in points

    const english = await kit.get(org.manager.headers, '/pay/exports/statements.pdf?month=2031-03&lang=en');
    const [first] = await pdfPages(english.rawPayload);
    expect(first).toContain('Hours statement');
    expect(first).not.toContain('300.00'); // a manager without the right sees no amounts
  });

  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/pay/exports/monthly.csv?month=2031-03`,
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/pay/exports/statements.pdf?month=2031-03`,
    minRole: 'manager',
  });
});
