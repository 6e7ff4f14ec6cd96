import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { at, BASE, staffingKit } from '../assignments/fixtures.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const conflictsUrl = (org: OrgFixture, query = '') => `/api/v1/orgs/${org.orgId}/conflicts${query}`;

interface Item {
  assignment_id: string;
  starts_at: string;
  user: { id: string; first_name: string; last_name: string };
  reasons: { rule: string; severity: string }[];
}

describe.each(DIALECTS)('conflicts on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  /** An org where rest is only a warning, so that two close missions can both be accepted. */
  async function restWarningOrg() {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload: { min_rest: { mode: 'warn' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    return { org, kit: staffingKit(ctx.app, org) };
  }

  /** Accepts `userId` on a new mission from `fromHour` to `toHour` (hours after the fixtures' BASE). */
  async function acceptOn(
    kit: ReturnType<typeof staffingKit>,
    org: OrgFixture,
    userId: string,
    fromHour: number,
    toHour: number,
  ) {
    const { missionId, roleId } = await kit.mission(fromHour, toHour, { quota: 5 });
    const invited = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
    expect(invited.statusCode, invited.body).toBe(201);
    const accepted = await kit.act(org.manager.headers, invited.json().id, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    return invited.json().id as string;
  }

  const list = async (org: OrgFixture, query: string) => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: conflictsUrl(org, query),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Item[]; next_cursor: string | null };
  };

  securitySuite(ctx, { method: 'GET', url: (org) => conflictsUrl(org), minRole: 'manager' });

  it('without user_id: everyone’s conflicts in the org, in mission start order, page by page', async () => {
    const { org, kit } = await restWarningOrg();
    const anna = await kit.user({ first: 'Anna' });
    const bruno = await kit.user({ first: 'Bruno' });
    const calm = await kit.user({ first: 'Calm' });
    // Anna: 6 h of rest between 0–8 and 14–18; Bruno: 4 h between 10–16 and 20–22; Calm: days apart
    const a1 = await acceptOn(kit, org, anna, 0, 8);
    const a2 = await acceptOn(kit, org, anna, 14, 18);
    const b1 = await acceptOn(kit, org, bruno, 10, 16);
    const b2 = await acceptOn(kit, org, bruno, 20, 22);
    await acceptOn(kit, org, calm, 0, 8);
    await acceptOn(kit, org, calm, 48, 56);
    // another org's conflicts never show
    const other = await restWarningOrg();
    const stranger = await other.kit.user();
    await acceptOn(other.kit, other.org, stranger, 0, 8);
    await acceptOn(other.kit, other.org, stranger, 12, 14);

    const window = `from=${at(-24)}&to=${at(72)}`;
    const all = await list(org, `?${window}`);
    expect(all.next_cursor).toBeNull();
    expect(all.items.map((i) => i.assignment_id)).toEqual([a1, b1, a2, b2]);
    expect(all.items.map((i) => i.starts_at)).toEqual([at(0), at(10), at(14), at(20)]);
    expect(all.items[0]).toMatchObject({
      user: { id: anna, first_name: 'Anna', last_name: anna.slice(0, 8) },
      status: 'ACCEPTED',
      reasons: [expect.objectContaining({ rule: 'min_rest', severity: 'warn' })],
    });
    expect(all.items[1]!.user.id).toBe(bruno);

    // one at a time: the same items, each once, then no cursor
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(org, `?${window}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((i) => i.assignment_id));
      cursor = page.next_cursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([a1, b1, a2, b2]);

    // user_id narrows the same view to one person
    const annaOnly = await list(org, `?${window}&user_id=${anna}`);
    expect(annaOnly.items.map((i) => i.assignment_id)).toEqual([a1, a2]);
    expect((await list(org, `?${window}&user_id=${calm}`)).items).toEqual([]);
  });

  it('one person’s view is the org-wide view narrowed to them, reasons and paging alike', async () => {
    const { org, kit } = await restWarningOrg();
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload: { max_hours_7d: { mode: 'warn' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const user = await kit.user();
    // a week of 8 h days (56 h in 7 days), a month later two missions 6 h apart, two months later one alone
    const week: string[] = [];
    for (let day = 0; day < 7; day++) week.push(await acceptOn(kit, org, user, day * 24 + 8, day * 24 + 16));
    const close = [await acceptOn(kit, org, user, 720, 728), await acceptOn(kit, org, user, 734, 738)];
    await acceptOn(kit, org, user, 1440, 1448);
    const window = `from=${at(-24)}&to=${at(1500)}`;

    const orgWide = await list(org, `?${window}`);
    const mine = await list(org, `?${window}&user_id=${user}`);
    expect(mine).toEqual(orgWide);
    expect(mine.items.map((i) => i.assignment_id)).toEqual([...week, ...close]);
    expect(mine.items[3]!.reasons).toEqual([
      expect.objectContaining({ rule: 'max_hours_7d', severity: 'warn' }),
    ]);
    expect(mine.items[8]!.reasons).toEqual([expect.objectContaining({ rule: 'min_rest', severity: 'warn' })]);

    const paged: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(org, `?${window}&user_id=${user}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && paged.length < 20);
    expect(paged).toEqual(mine.items);
  });

  it('by default looks a year ahead: a season planned months out shows without from/to', async () => {
    const { org, kit } = await restWarningOrg();
    const user = await kit.user();
    // whole hours after BASE for an instant `days` from now (the README's example show is ~100 days out); whole,
    // because fractional hours gave times whose float rounding made 8 h + 4 h a hair over the 12 h-in-24 h limit
    const inDays = (days: number) => Math.round((Date.now() + days * DAY - BASE) / HOUR);
    const soon = await acceptOn(kit, org, user, inDays(100), inDays(100) + 8);
    const soonAfter = await acceptOn(kit, org, user, inDays(100) + 14, inDays(100) + 18);
    await acceptOn(kit, org, user, inDays(400), inDays(400) + 8);
    await acceptOn(kit, org, user, inDays(400) + 14, inDays(400) + 18);

    const byDefault = await list(org, '');
    expect(byDefault.items.map((i) => i.assignment_id)).toEqual([soon, soonAfter]);
    const forUser = await list(org, `?user_id=${user}`);
    expect(forUser.items.map((i) => i.assignment_id)).toEqual([soon, soonAfter]);
  });

  it('refuses a forged cursor, a window too long and a stranger’s user id', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const stranger = await staffingKit(ctx.app, other).user();
    const cases: [string, number, string][] = [
      ['?cursor=bm90LWEtY3Vyc29y', 400, 'validation_failed'],
      [`?from=${at(0)}&to=${new Date(BASE + 367 * DAY).toISOString()}`, 400, 'validation_failed'],
      ['?limit=0', 400, 'validation_failed'],
      [`?user_id=${stranger}`, 404, 'not_found'],
    ];
    for (const [query, status, code] of cases) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: conflictsUrl(org, query),
        headers: org.manager.headers,
      });
      expect(res.statusCode, query).toBe(status);
      expect(res.json()).toMatchObject({ status, code });
    }
  });
});
