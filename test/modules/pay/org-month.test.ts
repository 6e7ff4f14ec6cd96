import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { trustedOrgId } from '../../../src/platform/auth/org-scope.js';
import { loadPaySettings, workContextOf } from '../../../src/modules/pay/pay-settings.repository.js';
import { orgMonth } from '../../../src/modules/payroll/org-month.js';
import { loadRates } from '../../../src/modules/payroll/payroll.repository.js';
import { readRange } from '../../../src/modules/payroll/payroll.service.js';
import type { PersonMonth } from '../../../src/modules/payroll/totals.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { payKit } from './fixtures.js';

type Records = Record<string, string>[];
const csv = (body: Buffer) => parse(body, { bom: true, delimiter: ';', columns: true }) as Records;
const Z = (local: string) => `${local}.000Z`;

/**
 * The exports read the org's month in one pass (`orgMonth`: the month by mission start, people in name order);
 * the JSON totals keep the paged walk (pages of people by name, each page's engagements through their index).
 * The two must give the same people in the same order with the same numbers, whatever the data: a month built
 * to hit the cases where a one-pass design could differ from the walk.
 */
describe.each(DIALECTS)('the org-wide month of the exports on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  async function mixedMonth() {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const otherProject = payKit(ctx.app, org);
    const hourly = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
      name: 'Hourly',
      basis: 'HOURLY',
      base_amount_cents: 2000,
      night_premium_pct: 25,
      sunday_premium_pct: 50,
      holiday_premium_pct: 100,
      overtime_premium_pct: 25,
      overtime_weekly_threshold_minutes: 35 * 60,
    });
    const richer = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
      name: 'Richer, no overtime premium',
      basis: 'HOURLY',
      base_amount_cents: 3333,
    });
    const cachet = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
      name: 'Cachet',
      basis: 'CACHET',
      base_amount_cents: 15000,
    });
    const bind = (body: object) => kit.send(org.admin.headers, 'POST', '/rate-bindings', body);
    await bind({ profile_id: hourly.json().id, role_name: 'Rigger' });
    await bind({ profile_id: cachet.json().id, role_name: 'Musician' });

    // two people with the same name: ordered by id, each with a line at the same instant
    const twins = [
      await kit.user({ first: 'Sam', last: 'Martin' }),
      await kit.user({ first: 'Sam', last: 'Martin' }),
    ];
    for (const twin of twins) {
      const { assignmentId } = await kit.engagement(twin, Z('2031-03-10T08:00:00'), Z('2031-03-10T16:00:00'));
      await kit.approve(assignmentId);
    }
    // lines in two projects, a night and a Sunday; one planned only, one saved but not approved
    const several = await kit.user({ first: 'Alex', last: 'Abel' });
    for (const [k, start, end] of [
      [kit, '2031-03-04T08:00:00', '2031-03-04T16:00:00'],
      [otherProject, '2031-03-07T19:00:00', '2031-03-08T03:00:00'],
      [otherProject, '2031-03-09T09:00:00', '2031-03-09T13:00:00'],
    ] as const) {
      const { assignmentId } = await k.engagement(several, Z(start), Z(end));
      await kit.approve(assignmentId);
    }
    await kit.engagement(several, Z('2031-03-20T08:00:00'), Z('2031-03-20T12:00:00'));
    const draft = await otherProject.engagement(several, Z('2031-03-21T08:00:00'), Z('2031-03-21T12:00:00'));
    expect((await kit.sheet(org.manager.headers, draft.assignmentId, {})).statusCode).toBe(200);

    // the week of Monday 24 February: 40 h in February, then Sunday 2 March: 4 h, all of them overtime in March
    const straddler = await kit.user({ first: 'Dana', last: 'Zed' });
    for (const day of ['24', '25', '26', '27', '28']) {
      const { assignmentId } = await kit.engagement(
        straddler,
        Z(`2031-02-${day}T08:00:00`),
        Z(`2031-02-${day}T16:00:00`),
      );
      await kit.approve(assignmentId);
    }
    const sunday = await kit.engagement(straddler, Z('2031-03-02T09:00:00'), Z('2031-03-02T13:00:00'));
    await kit.approve(sunday.assignmentId);

    // two lines starting at the same instant on two missions, one at a richer rate (no overtime premium):
    // which one reaches the threshold first follows the assignments' order, the same on both paths
    const doubleBooked = await kit.user({ first: 'Kim', last: 'Lee' });
    for (const day of ['10', '11', '12', '13']) {
      const { assignmentId } = await kit.engagement(
        doubleBooked,
        Z(`2031-03-${day}T08:00:00`),
        Z(`2031-03-${day}T16:00:00`),
      );
      await kit.approve(assignmentId);
    }
    for (let i = 0; i < 2; i++) {
      const { missionId, assignmentId } = await kit.engagement(
        doubleBooked,
        Z('2031-03-14T08:00:00'),
        Z('2031-03-14T14:00:00'),
      );
      await kit.approve(assignmentId);
      if (i === 0) await bind({ profile_id: richer.json().id, mission_id: missionId });
    }

    // a cachet engagement; people with nothing ACCEPTED in the month are not listed
    const musician = await kit.user({ first: 'Billie', last: 'Musician' });
    const gig = await kit.engagement(musician, Z('2031-03-08T19:00:00'), Z('2031-03-08T22:00:00'), {
      role: 'Musician',
    });
    await kit.approve(gig.assignmentId, { pay_basis: 'CACHET', cachets: 2 });
    const april = await kit.user({ first: 'Noa', last: 'April' });
    await kit.approve(
      (await kit.engagement(april, Z('2031-04-02T08:00:00'), Z('2031-04-02T12:00:00'))).assignmentId,
    );
    const invited = await kit.user({ first: 'Ira', last: 'Invited' });
    await kit.engagement(invited, Z('2031-03-12T08:00:00'), Z('2031-03-12T12:00:00'), { status: 'INVITED' });

    return { org, kit, twins, several, straddler, doubleBooked, musician };
  }

  /** The JSON totals, walked page after page (the paged walk), without the visibility flag. */
  async function pagedTotals(kit: ReturnType<typeof payKit>, headers: Record<string, string>, month: string) {
    const items: PersonMonth[] = [];
    let cursor: string | null = null;
    do {
      const page = (
        await kit.get(headers, `/pay/totals?month=${month}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json() as { items: (PersonMonth & { amounts_visible?: boolean })[]; next_cursor: string | null };
      items.push(...page.items.map(({ amounts_visible: _, ...t }) => t));
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }

  async function oneMonth(orgId: string, month: string, pages?: { people: number; lines: number }) {
    const { db } = ctx.app.database;
    const id = trustedOrgId(orgId);
    const settings = await loadPaySettings(db, id);
    const pricing = { work: workContextOf(settings), ...(await loadRates(db, id)) };
    const months: PersonMonth[] = [];
    for await (const m of orgMonth(db, id, pricing, month, readRange(month, settings), pages)) months.push(m);
    return months;
  }

  it('the same people, order and numbers as the paged walk of the JSON totals, whatever the page sizes', async () => {
    const { org, kit, twins, several, straddler, doubleBooked, musician } = await mixedMonth();
    const walked = await pagedTotals(kit, org.admin.headers, '2031-03');
    const byName = [several, doubleBooked, ...[...twins].sort(), musician, straddler];
    expect(walked.map((t) => t.user_id)).toEqual(byName);

    const onePass = await oneMonth(org.orgId, '2031-03');
    expect(onePass).toEqual(walked);
    // page boundaries inside people of the same name and inside lines of the same instant
    expect(await oneMonth(org.orgId, '2031-03', { people: 1, lines: 1 })).toEqual(walked);
    expect(await oneMonth(org.orgId, '2031-03', { people: 2, lines: 3 })).toEqual(walked);

    const abel = onePass.find((t) => t.user_id === several)!;
    expect(abel).toMatchObject({
      lines: 5,
      planned_minutes: 28 * 60,
      worked_minutes: 24 * 60,
      approved_minutes: 20 * 60,
      night_minutes: 6 * 60,
      sunday_minutes: 4 * 60,
      overtime_minutes: 0,
    });
    expect(abel.by_project).toHaveLength(2);
    // the week before March counts toward its Sunday: 40 h already, so the 4 h are overtime; February is not listed
    expect(onePass.find((t) => t.user_id === straddler)).toMatchObject({
      lines: 1,
      approved_minutes: 240,
      sunday_minutes: 240,
      overtime_minutes: 240,
      // 4 h × 20.00 = 80.00, Sunday +50 % = 40.00, overtime +25 % = 20.00
      amount_cents: 14000,
    });
    // 32 h, then two 6 h lines at once: 3 h or 6 h of overtime, as the assignments' order puts the line at the
    // rate without an overtime premium second or first: the same order on both paths (checked above)
    expect(onePass.find((t) => t.user_id === doubleBooked)).toMatchObject({
      lines: 6,
      approved_minutes: 44 * 60,
    });

    // the CSV (the one pass, streamed) says the same as the JSON totals (the paged walk), row for row
    const rows = csv((await kit.get(org.admin.headers, '/pay/exports/monthly.csv?month=2031-03')).rawPayload);
    const hours = (m: number) => (Math.round((m / 60) * 100) / 100).toFixed(2);
    expect(rows).toEqual(
      walked.map((t) => ({
        user_id: t.user_id,
        user_name: t.user_name,
        employment_type: t.employment_type,
        month: '2031-03',
        hours_planned: hours(t.planned_minutes),
        hours_worked: hours(t.worked_minutes),
        hours_confirmed: hours(t.approved_minutes),
        cachets: String(t.cachets),
        night_hours: hours(t.night_minutes),
        sunday_hours: hours(t.sunday_minutes),
        holiday_hours: hours(t.holiday_minutes),
        overtime_hours: hours(t.overtime_minutes),
        amount: (t.amount_cents! / 100).toFixed(2),
        currency: 'EUR',
      })),
    );
    expect(rows.find((r) => r.user_id === straddler)).toMatchObject({
      overtime_hours: '4.00',
      amount: '140.00',
    });
  });

  it('a month with no lines: every export is its header (or one page) alone', async () => {
    const { org, kit } = await mixedMonth();
    expect(await oneMonth(org.orgId, '2031-05')).toEqual([]);
    for (const path of ['/pay/exports/monthly.csv?month=2031-05', '/pay/exports/aem.csv?month=2031-05']) {
      const res = await kit.get(org.admin.headers, path);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(res.body.trimEnd().split('\r\n')).toHaveLength(1);
    }
    const xlsx = await kit.get(org.admin.headers, '/pay/exports/monthly.xlsx?month=2031-05');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('2031-05')!.rowCount).toBe(1);
    const pdf = await kit.get(org.admin.headers, '/pay/exports/statements.pdf?month=2031-05');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
