import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { at, staffingKit } from './fixtures.js';

describe.each(DIALECTS)('assignment transitions on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const audit = (entityId: string) =>
    ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_account_id'])
      .where('entity_id', '=', entityId)
      .orderBy('created_at')
      .execute();

  it('invites with the mission and role in the body, and audits it', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16, { title: 'Load-in' });
    const user = await kit.user();
    const res = await kit.invite(org.manager.headers, missionId, {
      user_id: user,
      role_id: roleId,
      note: 'Bring gloves',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      org_id: org.orgId,
      mission_id: missionId,
      role_id: roleId,
      user_id: user,
      status: 'INVITED',
      note: 'Bring gloves',
      reason: null,
      invited_by: org.manager.accountId,
      responded_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      role_name: 'Rigger',
      mission: { id: missionId, title: 'Load-in', starts_at: at(8), ends_at: at(16), location: 'Lyon' },
      warnings: [],
    });
    expect(await audit(res.json().id)).toEqual([
      { action: 'assignment.invite', actor_account_id: org.manager.accountId },
    ]);
  });

  it('invites several at once, all or none', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16);
    const [a, b] = [await kit.user(), await kit.user()];
    const ok = await kit.invite(org.manager.headers, missionId, {
      invites: [
        { user_id: a, role_id: roleId },
        { user_id: b, role_id: roleId },
      ],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().items.map((i: { user_id: string }) => i.user_id)).toEqual([a, b]);
    const c = await kit.user();
    const partial = await kit.invite(org.manager.headers, missionId, {
      invites: [
        { user_id: c, role_id: roleId },
        { user_id: a, role_id: roleId },
      ],
    });
    expect(partial.statusCode).toBe(409);
    expect(partial.json()).toMatchObject({ code: 'assignment_exists', user_id: a });
    const rows = await ctx.app.database.db
      .selectFrom('assignments')
      .select('user_id')
      .where('user_id', '=', c)
      .execute();
    expect(rows).toEqual([]);
  });

  it('refuses unknown, foreign or inactive people and roles', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const otherKit = staffingKit(ctx.app, other);
    const { missionId, roleId } = await kit.mission(8, 16);
    const foreignMission = await otherKit.mission(8, 16);
    const user = await kit.user();
    const foreignUser = await otherKit.user();
    const inactive = await kit.user({ active: false });
    const body = (u: string, r: string) => ({ user_id: u, role_id: r });
    expect(
      (await kit.invite(org.manager.headers, missionId, body(foreignUser, roleId))).json(),
    ).toMatchObject({ status: 404, detail: 'User not found' });
    expect(
      (await kit.invite(org.manager.headers, missionId, body(user, foreignMission.roleId))).json(),
    ).toMatchObject({ status: 404, detail: 'Role not found' });
    const foreign = await kit.invite(org.manager.headers, foreignMission.missionId, body(user, roleId));
    const missing = await kit.invite(org.manager.headers, crypto.randomUUID(), body(user, roleId));
    expect(foreign.statusCode).toBe(404);
    const strip = (r: typeof foreign) => ({ ...r.json(), request_id: undefined });
    expect(strip(foreign)).toEqual(strip(missing));
    expect((await kit.invite(org.manager.headers, missionId, body(inactive, roleId))).json()).toMatchObject({
      status: 409,
      code: 'user_inactive',
    });
    expect((await kit.invite(org.manager.headers, missionId, { user_id: user })).json()).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('allows only INVITED → ACCEPTED | DECLINED and INVITED | ACCEPTED → CANCELLED', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const m = await kit.mission(8, 16);
    const fresh = async () =>
      (
        await kit.invite(org.manager.headers, m.missionId, { user_id: await kit.user(), role_id: m.roleId })
      ).json().id as string;
    const h = org.manager.headers;

    const declined = await fresh();
    const d = await kit.act(h, declined, 'decline', { reason: 'On tour' });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({
      status: 'DECLINED',
      reason: 'On tour',
      responded_at: expect.any(String),
    });
    for (const action of ['accept', 'decline', 'cancel'] as const) {
      const res = await kit.act(h, declined, action);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'invalid_transition',
        status: 409,
        assignment_status: 'DECLINED',
        detail: `Cannot ${action} an assignment that is DECLINED`,
      });
    }

    const accepted = await fresh();
    expect((await kit.act(h, accepted, 'accept')).json()).toMatchObject({ status: 'ACCEPTED', warnings: [] });
    expect((await kit.act(h, accepted, 'accept')).json()).toMatchObject({
      status: 409,
      code: 'invalid_transition',
    });
    expect((await kit.act(h, accepted, 'decline')).json()).toMatchObject({
      status: 409,
      code: 'invalid_transition',
    });
    const role = () =>
      ctx.app.database.db
        .selectFrom('mission_roles')
        .select('accepted_count')
        .where('id', '=', m.roleId)
        .executeTakeFirstOrThrow();
    expect(await role()).toEqual({ accepted_count: 1 });
    expect((await kit.act(h, accepted, 'cancel', { reason: 'Budget' })).json()).toMatchObject({
      status: 'CANCELLED',
      reason: 'Budget',
    });
    expect(await role()).toEqual({ accepted_count: 0 });
    expect((await kit.act(h, accepted, 'cancel')).json()).toMatchObject({
      status: 409,
      code: 'invalid_transition',
    });
    expect((await audit(accepted)).map((a) => a.action)).toEqual([
      'assignment.invite',
      'assignment.accept',
      'assignment.cancel',
    ]);

    const cancelledInvite = await fresh();
    expect((await kit.act(h, cancelledInvite, 'cancel')).json()).toMatchObject({ status: 'CANCELLED' });
    expect(await role()).toEqual({ accepted_count: 0 });
  });

  it('lets the invited person answer through their linked account, and nobody else below manager', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const m = await kit.mission(8, 16);
    const mine = await kit.user({ accountId: org.tech.accountId });
    const someoneElse = await kit.user();
    const myInvite = (
      await kit.invite(org.manager.headers, m.missionId, { user_id: mine, role_id: m.roleId })
    ).json().id;
    const theirs = (
      await kit.invite(org.manager.headers, m.missionId, { user_id: someoneElse, role_id: m.roleId })
    ).json().id;
    const hidden = await kit.act(org.tech.headers, theirs, 'accept');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ detail: 'Assignment not found' });
    const ok = await kit.act(org.tech.headers, myInvite, 'accept');
    expect(ok.statusCode).toBe(200);
    expect((await audit(myInvite)).at(-1)).toEqual({
      action: 'assignment.accept',
      actor_account_id: org.tech.accountId,
    });
    expect((await kit.act(org.tech.headers, myInvite, 'cancel')).statusCode).toBe(403);

    const list = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/assignments`,
      headers: org.tech.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((a: { id: string }) => a.id)).toEqual([myInvite]);
  });

  it('lists a mission’s assignments and searches by user, status and dates', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const early = await kit.mission(8, 12);
    const late = await kit.mission(100, 104);
    const user = await kit.user();
    const a = (
      await kit.invite(org.manager.headers, early.missionId, { user_id: user, role_id: early.roleId })
    ).json().id;
    const b = (
      await kit.invite(org.manager.headers, late.missionId, { user_id: user, role_id: late.roleId })
    ).json().id;
    await kit.act(org.manager.headers, b, 'accept');
    const get = (query: string) =>
      ctx.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${org.orgId}/assignments?${query}`,
        headers: org.manager.headers,
      });
    const ids = async (query: string) => (await get(query)).json().items.map((i: { id: string }) => i.id);
    expect(await ids(`user_id=${user}`)).toEqual([a, b]);
    expect(await ids(`user_id=${user}&status=ACCEPTED`)).toEqual([b]);
    expect(await ids(`user_id=${user}&status=ACCEPTED&status=INVITED`)).toEqual([a, b]);
    expect(await ids(`user_id=${user}&from=${at(50)}`)).toEqual([b]);
    expect(await ids(`user_id=${user}&to=${at(50)}`)).toEqual([a]);
    const page1 = (await get(`user_id=${user}&limit=1`)).json();
    expect(page1.items).toHaveLength(1);
    expect((await get(`user_id=${user}&limit=1&cursor=${page1.next_cursor}`)).json()).toMatchObject({
      items: [{ id: b }],
      next_cursor: null,
    });
    const byMission = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/missions/${early.missionId}/assignments`,
      headers: org.manager.headers,
    });
    expect(byMission.json()).toMatchObject({
      items: [{ id: a, user_id: user, status: 'INVITED' }],
      next_cursor: null,
    });
    expect((await get('status=MAYBE')).statusCode).toBe(400);
  });

  securitySuite(ctx, {
    method: 'POST',
    url: (org) => `/api/v1/orgs/${org.orgId}/missions/${crypto.randomUUID()}/assignments`,
    minRole: 'manager',
    body: { user_id: crypto.randomUUID(), role_id: crypto.randomUUID() },
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/missions/${crypto.randomUUID()}/assignments`,
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/assignments`,
    minRole: 'tech',
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/assignments/${crypto.randomUUID()}`,
    minRole: 'tech',
  });
  securitySuite(ctx, {
    method: 'POST',
    url: (org) => `/api/v1/orgs/${org.orgId}/assignments/${crypto.randomUUID()}/accept`,
    minRole: 'tech',
  });
  securitySuite(ctx, {
    method: 'POST',
    url: (org) => `/api/v1/orgs/${org.orgId}/assignments/${crypto.randomUUID()}/decline`,
    minRole: 'tech',
    body: {},
  });
  securitySuite(ctx, {
    method: 'POST',
    url: (org) => `/api/v1/orgs/${org.orgId}/assignments/${crypto.randomUUID()}/cancel`,
    minRole: 'manager',
    body: {},
  });
});
