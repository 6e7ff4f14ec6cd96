import { describe, expect, it } from 'vitest';
import { insertMembership } from '../../../src/modules/orgs/orgs.repository.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { at, staffingKit } from './fixtures.js';

describe.each(DIALECTS)('conflict and labour rules on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const setRules = (org: OrgFixture, payload: object) =>
    ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/settings/rules`,
      headers: org.admin.headers,
      payload,
    });

  /** An accepted mission [fromH, toH), then an invitation to [nextFrom, nextTo): what does each step say? */
  async function scenario(org: OrgFixture, accepted: [number, number][], next: [number, number]) {
    const kit = staffingKit(ctx.app, org);
    const user = await kit.user();
    for (const [from, to] of accepted) {
      const m = await kit.mission(from, to);
      const id = (
        await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId })
      ).json().id;
      const res = await kit.act(org.manager.headers, id, 'accept');
      if (res.statusCode !== 200) throw new Error(`setup accept failed: ${res.body}`);
    }
    const m = await kit.mission(...next);
    const invite = await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId });
    const accept = await kit.act(org.manager.headers, invite.json().id, 'accept');
    return { user, invite, accept, kit };
  }

  it('overlap with an accepted mission always blocks, and is a warning at invite', async () => {
    const org = await createOrgFixture(ctx.app);
    const { invite, accept } = await scenario(org, [[8, 16]], [12, 20]);
    expect(invite.statusCode).toBe(201);
    expect(invite.json().warnings).toEqual([
      expect.objectContaining({
        rule: 'overlap_accepted',
        severity: 'block',
        assignment_id: expect.any(String),
        mission_id: expect.any(String),
        detail: expect.stringMatching(/^Overlaps "Mission 8"/),
      }),
    ]);
    expect(accept.statusCode).toBe(409);
    expect(accept.json()).toMatchObject({
      code: 'rule_violation',
      reasons: [expect.objectContaining({ rule: 'overlap_accepted', severity: 'block' })],
    });
  });

  it('overlap with another invitation only warns by default', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const user = await kit.user();
    const a = await kit.mission(8, 16);
    const b = await kit.mission(10, 14);
    await kit.invite(org.manager.headers, a.missionId, { user_id: user, role_id: a.roleId });
    const second = await kit.invite(org.manager.headers, b.missionId, { user_id: user, role_id: b.roleId });
    expect(second.json().warnings).toEqual([
      expect.objectContaining({ rule: 'overlap_invited', severity: 'warn' }),
    ]);
    const accept = await kit.act(org.manager.headers, second.json().id, 'accept');
    expect(accept.statusCode).toBe(200);
    expect(accept.json().warnings).toEqual([
      expect.objectContaining({ rule: 'overlap_invited', severity: 'warn' }),
    ]);
  });

  it.each([
    [
      'min_rest',
      [[0, 8]] as [number, number][],
      [14, 18] as [number, number],
      { min_rest: { mode: 'warn' } },
      /Only 6 h of rest/,
    ],
    [
      'max_hours_24h',
      [[0, 8]] as [number, number][],
      [18, 24] as [number, number],
      { max_hours_24h: { mode: 'warn' }, min_rest: { value: 0 } },
      /14 h of work within 24 h \(maximum 12 h\)/,
    ],
    [
      'max_hours_7d',
      [
        [0, 10],
        [24, 34],
        [48, 58],
        [72, 82],
      ] as [number, number][],
      [96, 106] as [number, number],
      { max_hours_7d: { mode: 'warn' } },
      /50 h of work within 7 days \(maximum 48 h\)/,
    ],
  ])(
    '%s blocks by default and only warns when the org says so',
    async (rule, accepted, next, relax, detail) => {
      const strict = await createOrgFixture(ctx.app);
      if (rule === 'max_hours_24h') await setRules(strict, { min_rest: { value: 0 } });
      const blocked = await scenario(strict, accepted, next);
      expect(blocked.invite.json().warnings).toEqual([
        expect.objectContaining({ rule, severity: 'block', detail: expect.stringMatching(detail) }),
      ]);
      expect(blocked.accept.statusCode).toBe(409);
      expect(blocked.accept.json()).toMatchObject({
        code: 'rule_violation',
        reasons: [expect.objectContaining({ rule, severity: 'block' })],
      });

      const lenient = await createOrgFixture(ctx.app);
      expect((await setRules(lenient, relax)).statusCode).toBe(200);
      const warned = await scenario(lenient, accepted, next);
      expect(warned.accept.statusCode).toBe(200);
      expect(warned.accept.json().warnings).toEqual([
        expect.objectContaining({ rule, severity: 'warn', detail: expect.stringMatching(detail) }),
      ]);
    },
  );

  it('the rule values are configurable: 9 h of rest is enough when the org says so', async () => {
    const org = await createOrgFixture(ctx.app);
    await setRules(org, { min_rest: { value: 9 } });
    const { accept } = await scenario(org, [[0, 8]], [17, 21]);
    expect(accept.statusCode).toBe(200);
    expect(accept.json().warnings).toEqual([]);
  });

  it('declared unavailability warns by default, blocks when the org says so', async () => {
    for (const mode of ['warn', 'block'] as const) {
      const org = await createOrgFixture(ctx.app);
      await setRules(org, { unavailable: { mode } });
      const kit = staffingKit(ctx.app, org);
      const user = await kit.user();
      await ctx.app.database.db
        .insertInto('availability')
        .values({
          id: crypto.randomUUID(),
          org_id: org.orgId,
          user_id: user,
          starts_at: at(0),
          ends_at: at(24),
          kind: 'UNAVAILABLE',
          note: 'Holiday',
          created_at: at(0),
        })
        .execute();
      const m = await kit.mission(8, 16);
      const invite = await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId });
      expect(invite.json().warnings).toEqual([
        expect.objectContaining({ rule: 'unavailable', severity: mode }),
      ]);
      const accept = await kit.act(org.manager.headers, invite.json().id, 'accept');
      expect(accept.statusCode).toBe(mode === 'warn' ? 200 : 409);
    }
  });

  it('accepted work in another org of the same account counts as busy, without telling what it is', async () => {
    const home = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app, 'Secret Festival');
    await insertMembership(ctx.app.database.db, other.orgId, home.tech.accountId, 'tech');
    const homeKit = staffingKit(ctx.app, home);
    const otherKit = staffingKit(ctx.app, other);
    const there = await otherKit.user({ accountId: home.tech.accountId });
    const here = await homeKit.user({ accountId: home.tech.accountId });
    const theirs = await otherKit.mission(8, 16, { title: 'Confidential gig' });
    const a = (
      await otherKit.invite(other.manager.headers, theirs.missionId, {
        user_id: there,
        role_id: theirs.roleId,
      })
    ).json().id;
    expect((await otherKit.act(other.manager.headers, a, 'accept')).statusCode).toBe(200);

    const ours = await homeKit.mission(10, 14);
    const invite = await homeKit.invite(home.manager.headers, ours.missionId, {
      user_id: here,
      role_id: ours.roleId,
    });
    expect(invite.json().warnings).toEqual([
      {
        rule: 'busy_elsewhere',
        severity: 'block',
        detail: 'Already booked by another organisation at this time',
      },
    ]);
    const accept = await homeKit.act(home.manager.headers, invite.json().id, 'accept');
    expect(accept.statusCode).toBe(409);
    expect(accept.body).not.toMatch(/Confidential|Secret Festival|Lyon/);
    expect(accept.body).not.toContain(a);
    expect(accept.body).not.toContain(other.orgId);
  });

  it('refuses to move a mission onto another accepted mission of its crew, and allows other moves', async () => {
    const org = await createOrgFixture(ctx.app);
    await setRules(org, { min_rest: { value: 0 } });
    const kit = staffingKit(ctx.app, org);
    const user = await kit.user();
    const ids: Record<string, string> = {};
    for (const [name, from, to] of [
      ['a', 8, 16],
      ['b', 20, 24],
    ] as const) {
      const m = await kit.mission(from, to);
      ids[name] = m.missionId;
      const id = (
        await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId })
      ).json().id;
      expect((await kit.act(org.manager.headers, id, 'accept')).statusCode).toBe(200);
    }
    const move = (starts_at: string, ends_at: string) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/missions/${ids.b}`,
        headers: org.manager.headers,
        payload: { starts_at, ends_at },
      });
    const onto = await move(at(12), at(18));
    expect(onto.statusCode).toBe(409);
    expect(onto.json()).toMatchObject({
      code: 'reschedule_conflict',
      reasons: [
        expect.objectContaining({
          rule: 'overlap_accepted',
          severity: 'block',
          user_id: user,
          mission_id: ids.a,
        }),
      ],
    });
    const unchanged = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/missions/${ids.b}`,
      headers: org.manager.headers,
    });
    expect(unchanged.json()).toMatchObject({ starts_at: at(20), ends_at: at(24) });
    const elsewhere = await move(at(30), at(34));
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.json()).toMatchObject({ starts_at: at(30), ends_at: at(34) });
  });

  it('reads and updates the rule settings, audited; refuses nonsense', async () => {
    const org = await createOrgFixture(ctx.app);
    const url = `/api/v1/orgs/${org.orgId}/settings/rules`;
    const defaults = await ctx.app.inject({ method: 'GET', url, headers: org.manager.headers });
    expect(defaults.statusCode).toBe(200);
    expect(defaults.json()).toEqual({
      overlap_accepted: { value: null, mode: 'block' },
      busy_elsewhere: { value: null, mode: 'block' },
      overlap_invited: { value: null, mode: 'warn' },
      unavailable: { value: null, mode: 'warn' },
      min_rest: { value: 11, mode: 'block' },
      max_hours_24h: { value: 12, mode: 'block' },
      max_hours_7d: { value: 48, mode: 'block' },
    });
    const patched = await setRules(org, { max_hours_7d: { value: 44 }, unavailable: { mode: 'block' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      max_hours_7d: { value: 44, mode: 'block' },
      unavailable: { value: null, mode: 'block' },
    });
    expect((await ctx.app.inject({ method: 'GET', url, headers: org.manager.headers })).json()).toEqual(
      patched.json(),
    );
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', org.orgId)
      .where('action', '=', 'settings.rules_update')
      .execute();
    expect(audit).toHaveLength(1);
    for (const bad of [
      {},
      { min_rest: { value: -1 } },
      { max_hours_24h: { value: 25 } },
      { overlap_accepted: { mode: 'warn' } },
      { unavailable: { mode: 'maybe' } },
    ]) {
      const res = await setRules(org, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('lists a person’s current conflicts', async () => {
    const org = await createOrgFixture(ctx.app);
    await setRules(org, { min_rest: { mode: 'warn' } });
    const { user, kit } = await scenario(org, [[0, 8]], [14, 18]);
    const m = await kit.mission(40, 44);
    await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId });
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/conflicts?user_id=${user}&from=${at(-24)}&to=${at(72)}`,
      headers: org.manager.headers,
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      starts_at: at(0),
      status: 'ACCEPTED',
      reasons: [expect.objectContaining({ rule: 'min_rest', severity: 'warn' })],
    });
    expect(items[1]).toMatchObject({
      starts_at: at(14),
      status: 'ACCEPTED',
      reasons: [expect.objectContaining({ rule: 'min_rest' })],
    });
    const other = await createOrgFixture(ctx.app);
    const foreign = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${other.orgId}/conflicts?user_id=${user}`,
      headers: other.manager.headers,
    });
    expect(foreign.statusCode).toBe(404);
    const badWindow = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/conflicts?user_id=${user}&from=${at(10)}&to=${at(0)}`,
      headers: org.manager.headers,
    });
    expect(badWindow.json()).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/settings/rules`,
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'PATCH',
    url: (org) => `/api/v1/orgs/${org.orgId}/settings/rules`,
    minRole: 'admin',
    body: { min_rest: { value: 10 } },
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/conflicts?user_id=${crypto.randomUUID()}`,
    minRole: 'manager',
  });
});
