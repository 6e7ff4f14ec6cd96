import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { at, staffingKit } from '../assignments/fixtures.js';

describe.each(DIALECTS)('a move is judged like an accept on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  /** One person accepted on [8, 12) and on the mission [30, 34) that the test then moves. */
  async function crewOnTwo(org: OrgFixture) {
    const kit = staffingKit(ctx.app, org);
    const h = org.manager.headers;
    const user = await kit.user();
    const missions: string[] = [];
    for (const [from, to] of [
      [8, 12],
      [30, 34],
    ] as const) {
      const m = await kit.mission(from, to);
      const id = (await kit.invite(h, m.missionId, { user_id: user, role_id: m.roleId })).json().id;
      expect((await kit.act(h, id, 'accept')).statusCode).toBe(200);
      missions.push(m.missionId);
    }
    const move = (payload: object) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/missions/${missions[1]}`,
        headers: h,
        payload,
      });
    return { user, held: missions[0]!, moved: missions[1]!, move };
  }

  it('a move that leaves accepted crew too little rest (blocking by default) is 409 naming them and the rule', async () => {
    const org = await createOrgFixture(ctx.app);
    const { user, held, moved, move } = await crewOnTwo(org);
    const res = await move({ starts_at: at(14), ends_at: at(18) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'reschedule_conflict',
      reasons: [
        expect.objectContaining({ rule: 'min_rest', severity: 'block', user_id: user, mission_id: held }),
      ],
    });
    const unchanged = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/missions/${moved}`,
      headers: org.manager.headers,
    });
    expect(unchanged.json()).toMatchObject({ starts_at: at(30), ends_at: at(34) });
  });

  it('too many hours in 24 h blocks a move too', async () => {
    const org = await createOrgFixture(ctx.app);
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload: { min_rest: { value: 0 } },
    });
    const { user, move } = await crewOnTwo(org);
    // 4 h + 10 h within 24 h: over the default 12 h.
    const res = await move({ starts_at: at(13), ends_at: at(23) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'reschedule_conflict',
      reasons: [expect.objectContaining({ rule: 'max_hours_24h', severity: 'block', user_id: user })],
    });
  });

  it('a warning rule lets the move through and comes back in `warnings`, naming the person', async () => {
    const org = await createOrgFixture(ctx.app);
    const settings = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload: { min_rest: { mode: 'warn' } },
    });
    expect(settings.statusCode).toBe(200);
    const { user, held, move } = await crewOnTwo(org);
    const res = await move({ starts_at: at(14), ends_at: at(18) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      starts_at: at(14),
      ends_at: at(18),
      warnings: [
        expect.objectContaining({ rule: 'min_rest', severity: 'warn', user_id: user, mission_id: held }),
      ],
    });
  });

  it('a change that keeps the times judges nobody: `warnings` is empty', async () => {
    const org = await createOrgFixture(ctx.app);
    const { move } = await crewOnTwo(org);
    const res = await move({ title: 'Renamed' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Renamed', warnings: [] });
  });

  it('one new date against the stored other is 409 dates_conflict; a body contradicting itself stays 400', async () => {
    const org = await createOrgFixture(ctx.app);
    const { move } = await crewOnTwo(org);
    const alone = await move({ ends_at: at(29) });
    expect(alone.statusCode).toBe(409);
    expect(alone.json()).toMatchObject({
      code: 'dates_conflict',
      starts_at: at(30),
      ends_at: at(34),
    });
    const both = await move({ starts_at: at(40), ends_at: at(39) });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ path: '/ends_at' })],
    });

    const project = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/projects`,
      headers: org.manager.headers,
      payload: { name: 'Tour', starts_at: '2031-05-01T00:00:00.000Z', ends_at: '2031-05-20T00:00:00.000Z' },
    });
    const patchProject = (payload: object) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/projects/${project.json().id}`,
        headers: org.manager.headers,
        payload,
      });
    const early = await patchProject({ ends_at: '2031-04-30T00:00:00.000Z' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'dates_conflict', starts_at: '2031-05-01T00:00:00.000Z' });
    const backwards = await patchProject({
      starts_at: '2031-06-02T00:00:00.000Z',
      ends_at: '2031-06-01T00:00:00.000Z',
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('a deactivated person cannot accept: 409 user_inactive, the slot stays free', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const user = await kit.user();
    const m = await kit.mission(8, 12);
    const id = (
      await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId })
    ).json().id;
    const off = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/users/${user}`,
      headers: org.admin.headers,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    const accept = await kit.act(org.manager.headers, id, 'accept');
    expect(accept.statusCode).toBe(409);
    expect(accept.json()).toMatchObject({ status: 409, code: 'user_inactive' });
    const role = await ctx.app.database.db
      .selectFrom('mission_roles')
      .select('accepted_count')
      .where('id', '=', m.roleId)
      .executeTakeFirstOrThrow();
    expect(role.accepted_count).toBe(0);
  });
});
