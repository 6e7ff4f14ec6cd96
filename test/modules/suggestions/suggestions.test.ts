import { describe, expect, it } from 'vitest';
import { newId, isoNow } from '../../../src/platform/clock.js';
import { useTestApp, type TestContext } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { at, staffingKit } from '../assignments/fixtures.js';

type Kit = ReturnType<typeof staffingKit>;

const suggestionsUrl = (org: OrgFixture, missionId: string, roleId: string, query = '') =>
  `/api/v1/orgs/${org.orgId}/missions/${missionId}/roles/${roleId}/suggestions${query}`;

/** A roster user with a chosen last name (the kit names people after their id). */
async function person(
  ctx: TestContext,
  kit: Kit,
  last: string,
  opts: Parameters<Kit['user']>[0] = {},
): Promise<string> {
  const id = await kit.user(opts);
  await ctx.app.database.db.updateTable('users').set({ last_name: last }).where('id', '=', id).execute();
  return id;
}

async function accepted(kit: Kit, org: OrgFixture, userId: string, fromHour: number, toHour: number) {
  const { missionId, roleId } = await kit.mission(fromHour, toHour, { quota: 5 });
  const invited = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
  expect(invited.statusCode, invited.body).toBe(201);
  const res = await kit.act(org.manager.headers, invited.json().id, 'accept');
  expect(res.statusCode, res.body).toBe(200);
  return invited.json().id as string;
}

async function invited(kit: Kit, org: OrgFixture, userId: string, missionId: string, roleId: string) {
  const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function available(
  ctx: TestContext,
  org: OrgFixture,
  userId: string,
  fromHour: number,
  toHour: number,
) {
  await ctx.app.database.db
    .insertInto('availability')
    .values({
      id: newId(),
      org_id: org.orgId,
      user_id: userId,
      starts_at: at(fromHour),
      ends_at: at(toHour),
      kind: 'AVAILABLE',
      note: null,
      created_at: isoNow(),
    })
    .execute();
}

describe.each(DIALECTS)('suggestions on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  securitySuite(ctx, {
    method: 'GET',
    url: async (org) => {
      const { missionId, roleId } = await staffingKit(ctx.app, org).mission(8, 16);
      return suggestionsUrl(org, missionId, roleId);
    },
    minRole: 'manager',
  });

  it('ranks by skill match, level, declared availability, hours this month, then name; excludes blocked and already invited', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    // the mission: 2031-03-07 04:00–12:00 UTC, a role asking for rigging ≥ 3
    const { missionId, roleId } = await kit.mission(100, 108, { skill: 'rigging', minLevel: 3, quota: 3 });

    const zimmer = await person(ctx, kit, 'Zimmer', { skills: [['rigging', 5]] });
    const aaron = await person(ctx, kit, 'Aaron', { skills: [['rigging', 4]] });
    const zola = await person(ctx, kit, 'Zola', { skills: [['rigging', 3]] });
    const young = await person(ctx, kit, 'Young', { skills: [['rigging', 3]] });
    const adams = await person(ctx, kit, 'Adams', { skills: [['rigging', 3]] });
    const zuber = await person(ctx, kit, 'Zuber', { skills: [['rigging', 2]] });
    const zed = await person(ctx, kit, 'Zed', { skills: [['sound', 5]] });
    const abel = await person(ctx, kit, 'Abel');
    const blocked = await person(ctx, kit, 'Blocked', { skills: [['rigging', 5]] });
    const already = await person(ctx, kit, 'Already', { skills: [['rigging', 5]] });
    await person(ctx, kit, 'Inactive', { skills: [['rigging', 5]], active: false });

    await available(ctx, org, zola, 90, 110); // declared available over the mission
    await available(ctx, org, young, 200, 210); // available, but not then
    await accepted(kit, org, adams, 0, 8); // 8 h accepted on 2031-03-03: same month
    await accepted(kit, org, young, -200, -192); // February: does not count
    await accepted(kit, org, blocked, 102, 110); // overlaps the mission: blocking
    await invited(kit, org, already, missionId, roleId); // already invited here
    const other = await kit.mission(104, 106, { quota: 5 });
    const overlapInvited = await invited(kit, org, aaron, other.missionId, other.roleId); // warns only

    const res = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.next_cursor).toBeNull();
    expect(body.items.map((i: { user: { last_name: string } }) => i.user.last_name)).toEqual([
      'Zimmer',
      'Aaron',
      'Zola',
      'Young',
      'Adams',
      'Zuber',
      'Abel',
      'Zed',
    ]);
    const byId = new Map(body.items.map((i: { user: { id: string } }) => [i.user.id, i]));
    expect(byId.has(blocked)).toBe(false);
    expect(byId.has(already)).toBe(false);

    expect(byId.get(zimmer)).toEqual({
      user: { id: zimmer, first_name: 'Crew', last_name: 'Zimmer' },
      skill_level: 5,
      hours_this_month: 0,
      declared_available: false,
      reasons: ['Has "rigging" at level 5 (minimum 3)', 'No hours accepted yet in 2031-03 (Europe/Paris)'],
      warnings: [],
    });
    expect(byId.get(aaron)).toMatchObject({
      skill_level: 4,
      warnings: [
        {
          rule: 'overlap_invited',
          severity: 'warn',
          assignment_id: overlapInvited,
          mission_id: other.missionId,
        },
      ],
      reasons: [
        'Has "rigging" at level 4 (minimum 3)',
        'No hours accepted yet in 2031-03 (Europe/Paris)',
        '1 warning(s): overlap_invited',
      ],
    });
    expect(byId.get(zola)).toMatchObject({
      skill_level: 3,
      declared_available: true,
      reasons: expect.arrayContaining(['Declared available during the mission']),
    });
    expect(byId.get(young)).toMatchObject({ declared_available: false, hours_this_month: 0 });
    expect(byId.get(adams)).toMatchObject({
      skill_level: 3,
      hours_this_month: 8,
      reasons: expect.arrayContaining(['8 h already accepted in 2031-03 (Europe/Paris)']),
    });
    expect(byId.get(zuber)).toMatchObject({
      skill_level: 2,
      reasons: expect.arrayContaining(['Has "rigging" at level 2, below the minimum 3']),
    });
    expect(byId.get(zed)).toMatchObject({
      skill_level: null,
      reasons: expect.arrayContaining(['Does not have the skill "rigging"']),
    });
    expect(byId.get(abel)).toMatchObject({ skill_level: null });

    const top = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId, '?limit=2'),
      headers: org.manager.headers,
    });
    expect(top.statusCode).toBe(200);
    expect(top.json()).toEqual({ items: body.items.slice(0, 2), next_cursor: null });
  });

  it('people without the skill come last, still ordered by their real hours this month', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(200, 208, { skill: 'rigging', minLevel: 3 });
    const qualified = await person(ctx, kit, 'Qualified', { skills: [['rigging', 4]] });
    const busy = await person(ctx, kit, 'Alpha', {});
    const idle = await person(ctx, kit, 'Zulu', {});
    await accepted(kit, org, busy, 100, 108);
    const res = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId),
      headers: org.manager.headers,
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { user: { id: string }; hours_this_month: number }[];
    expect(items.map((i) => i.user.id)).toEqual([qualified, idle, busy]);
    expect(items[2]).toMatchObject({ hours_this_month: 8, skill_level: null });
  });

  it('without a skill on the role: availability, then fewest hours, then name', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(300, 306);
    const busy = await person(ctx, kit, 'Able', { skills: [['rigging', 5]] });
    const free = await person(ctx, kit, 'Baker');
    const eager = await person(ctx, kit, 'Carter');
    await accepted(kit, org, busy, 250, 260); // 10 h in March, 40 h before the mission
    await available(ctx, org, eager, 299, 301);

    const res = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      items: [
        {
          user: { id: eager, first_name: 'Crew', last_name: 'Carter' },
          skill_level: null,
          hours_this_month: 0,
          declared_available: true,
          reasons: [
            'Declared available during the mission',
            'No hours accepted yet in 2031-03 (Europe/Paris)',
          ],
          warnings: [],
        },
        {
          user: { id: free, first_name: 'Crew', last_name: 'Baker' },
          skill_level: null,
          hours_this_month: 0,
          declared_available: false,
          reasons: ['No hours accepted yet in 2031-03 (Europe/Paris)'],
          warnings: [],
        },
        {
          user: { id: busy, first_name: 'Crew', last_name: 'Able' },
          skill_level: null,
          hours_this_month: 10,
          declared_available: false,
          reasons: ['10 h already accepted in 2031-03 (Europe/Paris)'],
          warnings: [],
        },
      ],
      next_cursor: null,
    });
  });

  it('excludes people a blocking labour rule would refuse, and shows warn-mode rules as warnings', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(24, 32);
    const tired = await person(ctx, kit, 'Tired');
    const away = await person(ctx, kit, 'Away');
    await accepted(kit, org, tired, 14, 20); // 4 h of rest before the mission (minimum 11 h: block)
    await ctx.app.database.db
      .insertInto('availability')
      .values({
        id: newId(),
        org_id: org.orgId,
        user_id: away,
        starts_at: at(0),
        ends_at: at(48),
        kind: 'UNAVAILABLE',
        note: null,
        created_at: isoNow(),
      })
      .execute();

    const res = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        user: { id: away, first_name: 'Crew', last_name: 'Away' },
        warnings: [expect.objectContaining({ rule: 'unavailable', severity: 'warn' })],
      }),
    ]);

    // once the org blocks on declared unavailability, nobody is left
    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload: { unavailable: { mode: 'block' } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const after = await ctx.app.inject({
      method: 'GET',
      url: suggestionsUrl(org, missionId, roleId),
      headers: org.manager.headers,
    });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ items: [], next_cursor: null });
  });

  it('answers 404 for another org’s mission or role, a role of another mission, or unknown ids', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16);
    const second = await kit.mission(20, 24);
    const other = await createOrgFixture(ctx.app);
    const otherMission = await staffingKit(ctx.app, other).mission(8, 16);
    const random = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const cases: [OrgFixture, string, string, string][] = [
      [other, missionId, roleId, 'Mission not found'],
      [org, otherMission.missionId, otherMission.roleId, 'Mission not found'],
      [org, missionId, otherMission.roleId, 'Role not found'],
      [org, missionId, second.roleId, 'Role not found'],
      [org, random, roleId, 'Mission not found'],
      [org, missionId, random, 'Role not found'],
    ];
    for (const [caller, mission, role, detail] of cases) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: suggestionsUrl(caller, mission, role),
        headers: caller.manager.headers,
      });
      expect(res.statusCode, `${mission} ${role}`).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found', detail });
    }
  });

  it('counts and names the month as the org lives it, in its time zone, not UTC', async () => {
    const org = await createOrgFixture(ctx.app); // Europe/Paris: CEST (UTC+2) from 2031-03-30
    const kit = staffingKit(ctx.app, org);
    // 2031-04-15 08:00–16:00 UTC, and 2031-04-01 00:30–01:30 in Paris (2031-03-31 22:30 UTC)
    const midApril = await kit.mission(1040, 1048);
    const firstNight = await kit.mission(694.5, 695.5);
    const early = await person(ctx, kit, 'Early');
    const late = await person(ctx, kit, 'Late');
    const fresh = await person(ctx, kit, 'Fresh');
    await accepted(kit, org, early, 694.25, 695.25); // 2031-04-01 00:15 in Paris, still March in UTC
    await accepted(kit, org, late, 1414.5, 1415.5); // 2031-05-01 00:30 in Paris, still April in UTC

    const suggest = async ({ missionId, roleId }: { missionId: string; roleId: string }) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: suggestionsUrl(org, missionId, roleId),
        headers: org.manager.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return new Map(
        res.json().items.map((i: { user: { id: string }; reasons: string[] }) => [i.user.id, i]),
      );
    };
    const april = await suggest(midApril);
    expect(april.get(early)).toMatchObject({
      hours_this_month: 1,
      reasons: ['1 h already accepted in 2031-04 (Europe/Paris)'],
    });
    expect(april.get(late)).toMatchObject({
      hours_this_month: 0,
      reasons: ['No hours accepted yet in 2031-04 (Europe/Paris)'],
    });
    // fewest hours first: the fairness order follows the local month too
    expect([...april.keys()]).toEqual([fresh, late, early]);
    // a mission at half past midnight on the 1st belongs to the new local month
    expect((await suggest(firstNight)).get(fresh)).toMatchObject({
      reasons: ['No hours accepted yet in 2031-04 (Europe/Paris)'],
    });
  });

  it('validates limit (1–100) and the ids', async () => {
    const org = await createOrgFixture(ctx.app);
    const { missionId, roleId } = await staffingKit(ctx.app, org).mission(8, 16);
    for (const url of [
      suggestionsUrl(org, missionId, roleId, '?limit=0'),
      suggestionsUrl(org, missionId, roleId, '?limit=101'),
      suggestionsUrl(org, missionId, roleId, '?cursor=x'),
      suggestionsUrl(org, 'not-a-uuid', roleId),
    ]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: org.manager.headers });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
    }
  });
});
