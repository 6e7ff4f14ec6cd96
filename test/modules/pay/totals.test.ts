import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import type { OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { month } from './month-fixture.js';

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
