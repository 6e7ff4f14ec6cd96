import { describe, expect, it } from 'vitest';
import { downgrade, upgrade } from '../../../src/platform/db/migrator.js';
import { zonedMonthOf } from '../../../src/platform/timezone.js';
import { useTestApp, type TestContext } from '../../helpers/app.js';
import { DIALECTS, racesCanHappen, RACES_ONLY_WHERE_POSSIBLE } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { missionApi } from '../missions/fixtures.js';
import { staffingKit } from '../assignments/fixtures.js';

/**
 * The kept facts of migration 20261202_0008 (docs/database.md, "Kept facts"): `person_month_minutes` always
 * equals the ACCEPTED time recomputed from the assignments (month of the mission's start in the org's time zone),
 * whatever path changed it; `orgs.longest_mission_minutes` bounds the missions page's look-back.
 */
const HOUR = 3_600_000;

/** The table as stored: `user month` → ms. */
async function kept(ctx: TestContext, orgId: string): Promise<Record<string, number>> {
  const rows = await ctx.app.database.db
    .selectFrom('person_month_minutes')
    .select(['user_id', 'month', 'accepted_ms'])
    .where('org_id', '=', orgId)
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.user_id} ${r.month}`, Number(r.accepted_ms)]));
}

/** The same facts recomputed from the assignments, as suggestions summed them before the table existed. */
async function recomputed(ctx: TestContext, orgId: string): Promise<Record<string, number>> {
  const { db } = ctx.app.database;
  const { timezone } = await db
    .selectFrom('orgs')
    .select('timezone')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select(['a.user_id', 'm.starts_at', 'm.ends_at'])
    .where('a.org_id', '=', orgId)
    .where('a.status', '=', 'ACCEPTED')
    .execute();
  const sums: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r.user_id} ${zonedMonthOf(r.starts_at, timezone).label}`;
    sums[key] = (sums[key] ?? 0) + Date.parse(r.ends_at) - Date.parse(r.starts_at);
  }
  return sums;
}

describe.each(DIALECTS)('kept facts on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev', PUBLIC_BASE_URL: 'https://crew.example.com' });
  const api = missionApi(ctx);

  /** An org, a crew member, a mission made through the API (Stagehand role, no skill) and an INVITED assignment. */
  async function invitedOn(org: OrgFixture, startsAt: string, endsAt: string, userId?: string) {
    const kit = staffingKit(ctx.app, org);
    const user = userId ?? (await kit.user({ skills: [['rigging', 4]] }));
    const mission = await api.mission(org, undefined, { starts_at: startsAt, ends_at: endsAt });
    const roleId = mission.roles.find((r) => r.name === 'Stagehand')!.id;
    const invited = await kit.invite(org.manager.headers, mission.id, { user_id: user, role_id: roleId });
    expect(invited.statusCode, invited.body).toBe(201);
    return { kit, user, mission, roleId, assignmentId: invited.json().id as string };
  }

  it('accept adds the mission to its start month (org time zone), cancel takes it out', async () => {
    const org = await createOrgFixture(ctx.app);
    // 23:30 UTC on 31 January is 00:30 on 1 February in Paris: the month is February.
    const one = await invitedOn(org, '2031-01-31T23:30:00.000Z', '2031-02-01T03:30:00.000Z');
    expect(await kept(ctx, org.orgId)).toEqual({});
    const accepted = await one.kit.act(org.manager.headers, one.assignmentId, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ id: one.assignmentId, status: 'ACCEPTED' });
    expect(await kept(ctx, org.orgId)).toEqual({ [`${one.user} 2031-02`]: 4 * HOUR });

    const two = await invitedOn(org, '2031-02-10T08:00:00.000Z', '2031-02-10T10:30:00.000Z', one.user);
    expect((await two.kit.act(org.manager.headers, two.assignmentId, 'accept')).statusCode).toBe(200);
    expect(await kept(ctx, org.orgId)).toEqual({ [`${one.user} 2031-02`]: 6.5 * HOUR });

    const cancelled = await one.kit.act(org.manager.headers, one.assignmentId, 'cancel', { reason: 'ill' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED' });
    expect(await kept(ctx, org.orgId)).toEqual({ [`${one.user} 2031-02`]: 2.5 * HOUR });
    expect((await two.kit.act(org.manager.headers, two.assignmentId, 'cancel')).statusCode).toBe(200);
    // A month brought to zero loses its row.
    expect(await kept(ctx, org.orgId)).toEqual({});
    // Cancelling an INVITED assignment changes nothing.
    const three = await invitedOn(org, '2031-02-12T08:00:00.000Z', '2031-02-12T09:00:00.000Z', one.user);
    expect((await three.kit.act(org.manager.headers, three.assignmentId, 'cancel')).statusCode).toBe(200);
    expect(await kept(ctx, org.orgId)).toEqual({});
  });

  it('a move of a mission with accepted crew carries their time to the new month and duration', async () => {
    const org = await createOrgFixture(ctx.app);
    const { kit, user, mission, assignmentId } = await invitedOn(
      org,
      '2031-04-30T08:00:00.000Z',
      '2031-04-30T12:00:00.000Z',
    );
    expect((await kit.act(org.manager.headers, assignmentId, 'accept')).statusCode).toBe(200);
    expect(await kept(ctx, org.orgId)).toEqual({ [`${user} 2031-04`]: 4 * HOUR });

    const moved = await api.call(org, 'PATCH', `/missions/${mission.id}`, {
      starts_at: '2031-05-02T08:00:00.000Z',
      ends_at: '2031-05-02T17:00:00.000Z',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      starts_at: '2031-05-02T08:00:00.000Z',
      ends_at: '2031-05-02T17:00:00.000Z',
    });
    expect(await kept(ctx, org.orgId)).toEqual({ [`${user} 2031-05`]: 9 * HOUR });

    // Only the end moves: the duration follows, the month stays.
    const longer = await api.call(org, 'PATCH', `/missions/${mission.id}`, {
      ends_at: '2031-05-02T18:00:00.000Z',
    });
    expect(longer.statusCode, longer.body).toBe(200);
    expect(await kept(ctx, org.orgId)).toEqual({ [`${user} 2031-05`]: 10 * HOUR });
    // A title change is no move.
    expect((await api.call(org, 'PATCH', `/missions/${mission.id}`, { title: 'Get-out' })).statusCode).toBe(
      200,
    );
    expect(await kept(ctx, org.orgId)).toEqual(await recomputed(ctx, org.orgId));
  });

  it('a mission with accepted crew cannot be deleted; once cancelled it can, and the month is empty', async () => {
    const org = await createOrgFixture(ctx.app);
    const { kit, user, mission, assignmentId } = await invitedOn(
      org,
      '2031-06-03T08:00:00.000Z',
      '2031-06-03T11:00:00.000Z',
    );
    expect((await kit.act(org.manager.headers, assignmentId, 'accept')).statusCode).toBe(200);
    const refused = await api.call(org, 'DELETE', `/missions/${mission.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'in_use' });
    expect(await kept(ctx, org.orgId)).toEqual({ [`${user} 2031-06`]: 3 * HOUR });

    expect((await kit.act(org.manager.headers, assignmentId, 'cancel')).statusCode).toBe(200);
    const deleted = await api.call(org, 'DELETE', `/missions/${mission.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(await kept(ctx, org.orgId)).toEqual({});
  });

  it('an accept through a signed link counts too', async () => {
    const org = await createOrgFixture(ctx.app);
    const { user, assignmentId } = await invitedOn(
      org,
      '2031-07-01T08:00:00.000Z',
      '2031-07-01T10:00:00.000Z',
    );
    const link = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/link`,
      headers: org.manager.headers,
    });
    expect(link.statusCode, link.body).toBe(201);
    const accepted = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${link.json().token}/accept`,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'ACCEPTED' });
    expect(await kept(ctx, org.orgId)).toEqual({ [`${user} 2031-07`]: 2 * HOUR });
  });

  it('a time-zone change counts the months again; suggestions show the kept hours', async () => {
    const org = await createOrgFixture(ctx.app);
    // 00:30 on 1 March in Paris is still February in Montreal (18:30 on the 28th).
    const one = await invitedOn(org, '2031-02-28T23:30:00.000Z', '2031-03-01T01:30:00.000Z');
    expect((await one.kit.act(org.manager.headers, one.assignmentId, 'accept')).statusCode).toBe(200);
    const other = await invitedOn(org, '2031-03-05T08:00:00.000Z', '2031-03-05T09:00:00.000Z', one.user);
    expect((await other.kit.act(org.manager.headers, other.assignmentId, 'accept')).statusCode).toBe(200);
    expect(await kept(ctx, org.orgId)).toEqual({ [`${one.user} 2031-03`]: 3 * HOUR });

    const changed = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}`,
      headers: org.admin.headers,
      payload: { timezone: 'America/Montreal' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ timezone: 'America/Montreal' });
    expect(changed.json()).not.toHaveProperty('longest_mission_minutes');
    expect(await kept(ctx, org.orgId)).toEqual({
      [`${one.user} 2031-02`]: 2 * HOUR,
      [`${one.user} 2031-03`]: 1 * HOUR,
    });
    expect(await kept(ctx, org.orgId)).toEqual(await recomputed(ctx, org.orgId));

    // A March mission in Montreal: the person's March hours are the kept 1 h.
    const target = await api.mission(org, undefined, {
      starts_at: '2031-03-20T14:00:00.000Z',
      ends_at: '2031-03-20T16:00:00.000Z',
    });
    const roleId = target.roles.find((r) => r.name === 'Rigger')!.id;
    const res = await ctx.app.inject({
      url: `/api/v1/orgs/${org.orgId}/missions/${target.id}/roles/${roleId}/suggestions`,
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json().items.find((i: { user: { id: string } }) => i.user.id === one.user);
    expect(mine).toMatchObject({
      skill_level: 4,
      hours_this_month: 1,
      reasons: expect.arrayContaining(['1 h already accepted in 2031-03 (America/Montreal)']),
    });
  });

  it('suggestions rank skill levels from the top, then those without the skill, with the kept hours', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const expert = await kit.user({ last: 'Expert', skills: [['rigging', 5]] });
    const busyExpert = await kit.user({ last: 'Busy', skills: [['rigging', 5]] });
    const below = await kit.user({ last: 'Below', skills: [['rigging', 2]] });
    const none = await kit.user({ last: 'Nobody' });
    const worked = await invitedOn(org, '2031-08-04T08:00:00.000Z', '2031-08-04T13:00:00.000Z', busyExpert);
    expect((await kit.act(org.manager.headers, worked.assignmentId, 'accept')).statusCode).toBe(200);
    const target = await api.mission(org, undefined, {
      starts_at: '2031-08-20T08:00:00.000Z',
      ends_at: '2031-08-20T12:00:00.000Z',
    });
    const roleId = target.roles.find((r) => r.name === 'Rigger')!.id; // rigging, minimum 3
    const res = await ctx.app.inject({
      url: `/api/v1/orgs/${org.orgId}/missions/${target.id}/roles/${roleId}/suggestions`,
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as {
      user: { id: string };
      skill_level: number | null;
      hours_this_month: number;
    }[];
    expect(items.map((i) => [i.user.id, i.skill_level, i.hours_this_month])).toEqual([
      [expert, 5, 0],
      [busyExpert, 5, 5],
      [below, 2, 0],
      [none, null, 0],
    ]);
  });

  it('the missions page lists a long mission still running, looking back by the longest one', async () => {
    const org = await createOrgFixture(ctx.app);
    const bound = async () =>
      (
        await ctx.app.database.db
          .selectFrom('orgs')
          .select('longest_mission_minutes')
          .where('id', '=', org.orgId)
          .executeTakeFirstOrThrow()
      ).longest_mission_minutes;
    expect(await bound()).toBe(0);
    const short = await api.mission(org, undefined, {
      title: 'Short',
      starts_at: '2026-06-30T20:00:00.000Z',
      ends_at: '2026-06-30T22:00:00.000Z',
    });
    expect(await bound()).toBe(120);
    const long = await api.mission(org, undefined, {
      title: 'Tour',
      starts_at: '2026-06-10T08:00:00.000Z',
      ends_at: '2026-07-05T08:00:00.000Z',
    });
    expect(await bound()).toBe(25 * 24 * 60);
    const page = await api.call(
      org,
      'GET',
      '/missions?from=2026-07-01T00:00:00.000Z&to=2026-07-10T00:00:00.000Z',
    );
    expect(page.statusCode).toBe(200);
    expect(page.json().items.map((m: { id: string; title: string }) => [m.id, m.title])).toEqual([
      [long.id, 'Tour'],
    ]);

    // Shortening never lowers the bound; lengthening raises it.
    const shorter = await api.call(org, 'PATCH', `/missions/${long.id}`, {
      ends_at: '2026-07-02T08:00:00.000Z',
    });
    expect(shorter.statusCode, shorter.body).toBe(200);
    expect(await bound()).toBe(25 * 24 * 60);
    const longer = await api.call(org, 'PATCH', `/missions/${short.id}`, {
      starts_at: '2026-06-01T20:00:00.000Z',
      ends_at: '2026-07-01T20:30:00.000Z',
    });
    expect(longer.statusCode, longer.body).toBe(200);
    expect(await bound()).toBe(30 * 24 * 60 + 30);
    const again = await api.call(
      org,
      'GET',
      '/missions?from=2026-07-01T12:00:00.000Z&to=2026-07-10T00:00:00.000Z',
    );
    expect(again.statusCode).toBe(200);
    expect(again.json().items.map((m: { title: string }) => m.title)).toEqual(['Short', 'Tour']);
  });

  it.runIf(racesCanHappen(dialect))(
    `accepts, cancels and moves at once leave the table equal to the assignments ${RACES_ONLY_WHERE_POSSIBLE}`,
    async () => {
      const org = await createOrgFixture(ctx.app);
      const kit = staffingKit(ctx.app, org);
      const mission = await api.mission(org, undefined, {
        starts_at: '2031-11-29T08:00:00.000Z',
        ends_at: '2031-11-29T12:00:00.000Z',
        roles: [{ name: 'Stagehand', quota: 10 }],
      });
      const roleId = mission.roles[0]!.id;
      const people = await Promise.all(Array.from({ length: 6 }, () => kit.user()));
      const ids: string[] = [];
      for (const user of people) {
        const invited = await kit.invite(org.manager.headers, mission.id, { user_id: user, role_id: roleId });
        expect(invited.statusCode, invited.body).toBe(201);
        ids.push(invited.json().id);
      }
      for (const id of ids.slice(0, 3))
        expect((await kit.act(org.manager.headers, id, 'accept')).statusCode).toBe(200);
      // Cancel two accepted, accept the three others, and move the mission into December, all at once.
      const answers = await Promise.all([
        kit.act(org.manager.headers, ids[0]!, 'cancel'),
        kit.act(org.manager.headers, ids[1]!, 'cancel'),
        ...ids.slice(3).map((id) => kit.act(org.manager.headers, id, 'accept')),
        api.call(org, 'PATCH', `/missions/${mission.id}`, {
          starts_at: '2031-12-02T08:00:00.000Z',
          ends_at: '2031-12-02T15:00:00.000Z',
        }),
      ]);
      for (const answer of answers) expect([200, 409], answer.body).toContain(answer.statusCode);
      expect(await kept(ctx, org.orgId)).toEqual(await recomputed(ctx, org.orgId));
      expect(Object.keys(await kept(ctx, org.orgId)).length).toBeGreaterThan(0);
    },
  );

  // Last in the file: it takes the schema down one step and up again, under the other tests' orgs.
  it('the migration backfills the table and the bound from the existing rows', async () => {
    const org = await createOrgFixture(ctx.app);
    const a = await invitedOn(org, '2031-09-30T22:30:00.000Z', '2031-10-01T02:00:00.000Z');
    expect((await a.kit.act(org.manager.headers, a.assignmentId, 'accept')).statusCode).toBe(200);
    const b = await invitedOn(org, '2031-10-07T08:00:00.000Z', '2031-10-07T08:00:01.500Z', a.user);
    expect((await b.kit.act(org.manager.headers, b.assignmentId, 'accept')).statusCode).toBe(200);
    const { db } = ctx.app.database;
    const orgIds = (await db.selectFrom('orgs').select('id').execute()).map((o) => o.id);
    const before = await Promise.all(orgIds.map((id) => kept(ctx, id)));
    const bounds = await db
      .selectFrom('orgs')
      .select(['id', 'longest_mission_minutes'])
      .orderBy('id')
      .execute();

    await downgrade(db, '20261201_0007_webhooks');
    await upgrade(db);
    expect(await Promise.all(orgIds.map((id) => kept(ctx, id)))).toEqual(before);
    expect(await Promise.all(orgIds.map((id) => recomputed(ctx, id)))).toEqual(before);
    expect(await kept(ctx, org.orgId)).toEqual({ [`${a.user} 2031-10`]: 3.5 * HOUR + 1500 });
    // The bound is recomputed from the missions: at least what the writes had raised it to.
    const after = await db
      .selectFrom('orgs')
      .select(['id', 'longest_mission_minutes'])
      .orderBy('id')
      .execute();
    for (const [i, row] of after.entries()) {
      expect(row.longest_mission_minutes).toBeLessThanOrEqual(bounds[i]!.longest_mission_minutes);
    }
    expect(after.find((o) => o.id === org.orgId)!.longest_mission_minutes).toBe(210);
  });
});
