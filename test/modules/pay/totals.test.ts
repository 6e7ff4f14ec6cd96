import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { payKit } from './fixtures.js';

const Z = (local: string) => `${local}.000Z`;

/**
 * A month the numbers of which are worked out by hand (docs/hours-and-pay.md has the same example):
 * an hourly rigger (20.00/h; night +25 %, Sunday +50 %, holiday +100 %, overtime +25 % beyond 35 h a week) and
 * a musician paid per cachet (150.00).
 */
async function month(ctx: { app: Parameters<typeof payKit>[0] }) {
  const org = await createOrgFixture(ctx.app);
  const kit = payKit(ctx.app, org);
  const rigger = await kit.user({ accountId: org.tech.accountId, first: 'Alex', last: 'Rigger' });
  const musician = await kit.user({ first: 'Billie', last: 'Musician' });
  const hourly = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
    name: 'Rigger',
    basis: 'HOURLY',
    base_amount_cents: 2000,
    night_premium_pct: 25,
    sunday_premium_pct: 50,
    holiday_premium_pct: 100,
    overtime_premium_pct: 25,
    overtime_weekly_threshold_minutes: 35 * 60,
  });
  const cachet = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
    name: 'Cachet',
    basis: 'CACHET',
    base_amount_cents: 15000,
  });
  await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
    profile_id: hourly.json().id,
    user_id: rigger,
  });
  await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
    profile_id: cachet.json().id,
    role_name: 'Musician',
  });

  // Week of Monday 3 March 2031 (CET): four days 09:00–17:00, a Friday night 20:00–04:00, Sunday 10:00–14:00.
  for (const day of ['03', '04', '05', '06']) {
    const { assignmentId } = await kit.engagement(
      rigger,
      Z(`2031-03-${day}T08:00:00`),
      Z(`2031-03-${day}T16:00:00`),
    );
    await kit.approve(assignmentId);
  }
  const friday = await kit.engagement(rigger, Z('2031-03-07T19:00:00'), Z('2031-03-08T03:00:00'));
  await kit.approve(friday.assignmentId);
  const sunday = await kit.engagement(rigger, Z('2031-03-09T09:00:00'), Z('2031-03-09T13:00:00'));
  await kit.approve(sunday.assignmentId);
  // planned but not entered, on another project: planned hours only
  const other = payKit(ctx.app, org);
  await other.engagement(rigger, Z('2031-03-20T08:00:00'), Z('2031-03-20T12:00:00'));
  // 14 July (public holiday), 10:00–18:00 CEST
  const bastille = await kit.engagement(rigger, Z('2031-07-14T08:00:00'), Z('2031-07-14T16:00:00'));
  await kit.approve(bastille.assignmentId);
  // the musician: one engagement paid 2 cachets
  const gig = await kit.engagement(musician, Z('2031-03-08T19:00:00'), Z('2031-03-08T22:00:00'), {
    role: 'Musician',
  });
  await kit.approve(gig.assignmentId, { pay_basis: 'CACHET', cachets: 2 });
  return { org, kit, rigger, musician };
}

describe.each(DIALECTS)('monthly totals on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('per person and per project: planned, worked, approved hours, cachets, amounts and premiums', async () => {
    const { org, kit, rigger, musician } = await month(ctx);
    const res = await kit.get(org.admin.headers, '/pay/totals?month=2031-03');
    expect(res.statusCode).toBe(200);
    const { items, currency, next_cursor } = res.json();
    expect({ currency, next_cursor }).toEqual({ currency: 'EUR', next_cursor: null });
    // by last name: Musician, Rigger
    expect(items.map((i: { user_id: string }) => i.user_id)).toEqual([musician, rigger]);
    expect(items[1]).toMatchObject({
      user_name: 'Alex Rigger',
      month: '2031-03',
      lines: 7,
      planned_minutes: (44 + 4) * 60,
      worked_minutes: 44 * 60,
      approved_minutes: 44 * 60,
      night_minutes: 360,
      sunday_minutes: 240,
      holiday_minutes: 0,
      overtime_minutes: 540, // the week reaches 44 h: 9 h beyond 35
      cachets: 0,
      // 44 h × 20.00 = 880.00; night 6 h × 5.00 = 30.00; Sunday 4 h × 10.00 = 40.00; overtime 9 h × 5.00 = 45.00
      amount_cents: 99500,
      base_cents: 88000,
      premiums_cents: { night: 3000, sunday: 4000, holiday: 0, overtime: 4500 },
      unpriced_lines: 0,
      amounts_visible: true,
    });
    expect(items[1].by_project).toHaveLength(2);
    expect(items[1].by_project.map((p: { planned_minutes: number }) => p.planned_minutes).sort()).toEqual([
      240, 2640,
    ]);
    expect(items[0]).toMatchObject({
      cachets: 2,
      amount_cents: 30000,
      approved_minutes: 180,
      overtime_minutes: 0,
    });

    const july = await kit.get(org.admin.headers, `/pay/totals?month=2031-07&user_id=${rigger}`);
    expect(july.json().items).toEqual([
      expect.objectContaining({
        holiday_minutes: 480,
        amount_cents: 32000,
        premiums_cents: expect.objectContaining({ holiday: 16000 }),
      }),
    ]);
  });

  it('the rolling 12 months: approved hours + 12 h per cachet, against 507', async () => {
    const { org, kit, rigger, musician } = await month(ctx);
    const r = await kit.get(org.manager.headers, `/users/${rigger}/pay/rolling-507?month=2031-07`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      user_id: rigger,
      from_month: '2030-08',
      to_month: '2031-07',
      hours_minutes: 52 * 60,
      cachets: 0,
      counted_minutes: 52 * 60,
      counted_hours: 52,
      hours_per_cachet: 12,
      threshold_hours: 507,
      reached: false,
    });
    expect(
      (await kit.get(org.manager.headers, `/users/${musician}/pay/rolling-507?month=2031-03`)).json(),
    ).toMatchObject({
      hours_minutes: 0,
      cachets: 2,
      counted_hours: 24,
    });
    // a tech: their own only
    expect(
      (await kit.get(org.tech.headers, `/users/${rigger}/pay/rolling-507?month=2031-03`)).statusCode,
    ).toBe(200);
    expect(
      (await kit.get(org.tech.headers, `/users/${musician}/pay/rolling-507?month=2031-03`)).statusCode,
    ).toBe(404);
  });

  it('amounts: hidden from managers unless the org allows it, and from techs; a tech sees only their own totals', async () => {
    const { org, kit, rigger } = await month(ctx);
    const manager = (await kit.get(org.manager.headers, '/pay/totals?month=2031-03')).json();
    expect(manager.items).toHaveLength(2);
    expect(manager.items[1]).toMatchObject({
      approved_minutes: 2640,
      amount_cents: null,
      premiums_cents: null,
      amounts_visible: false,
    });
    expect(manager.items[1].by_project[0]).toMatchObject({ amount_cents: null });
    await kit.send(org.admin.headers, 'PATCH', '/pay-settings', { managers_see_amounts: true });
    expect(
      (await kit.get(org.manager.headers, '/pay/totals?month=2031-03')).json().items[1].amount_cents,
    ).toBe(99500);
    const tech = (await kit.get(org.tech.headers, '/pay/totals?month=2031-03')).json();
    expect(tech.items.map((i: { user_id: string }) => i.user_id)).toEqual([rigger]);
    expect(tech.items[0]).toMatchObject({ amount_cents: null, amounts_visible: false });
  });

  it('pages through people with a cursor', async () => {
    const { org, kit, rigger } = await month(ctx);
    const first = (await kit.get(org.admin.headers, '/pay/totals?month=2031-03&limit=1')).json();
    expect(first.items).toHaveLength(1);
    const second = (
      await kit.get(org.admin.headers, `/pay/totals?month=2031-03&limit=1&cursor=${first.next_cursor}`)
    ).json();
    expect(second.items.map((i: { user_id: string }) => i.user_id)).toEqual([rigger]);
  });

  securitySuite(ctx, {
    method: 'GET',
    url: (org: OrgFixture) => `/api/v1/orgs/${org.orgId}/pay/totals?month=2031-03`,
    minRole: 'tech',
  });
});
