import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { payKit } from './fixtures.js';

const hourly = {
  name: 'Rigger, hourly',
  basis: 'HOURLY',
  base_amount_cents: 1850,
  night_premium_pct: 25,
  overtime_premium_pct: 25,
  overtime_weekly_threshold_minutes: 2100,
};

describe.each(DIALECTS)('rate profiles and bindings on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('an admin creates, changes and deletes a profile, each audited; names are unique per org', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const created = await kit.send(org.admin.headers, 'POST', '/rate-profiles', hourly);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      ...hourly,
      currency: 'EUR',
      sunday_premium_pct: null,
      holiday_premium_pct: null,
    });
    const id = created.json().id as string;
    const dup = await kit.send(org.admin.headers, 'POST', '/rate-profiles', hourly);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'name_taken' });
    const patched = await kit.send(org.admin.headers, 'PATCH', `/rate-profiles/${id}`, {
      base_amount_cents: 1900,
    });
    expect(patched.json()).toMatchObject({ base_amount_cents: 1900, night_premium_pct: 25 });
    const half = await kit.send(org.admin.headers, 'PATCH', `/rate-profiles/${id}`, {
      overtime_weekly_threshold_minutes: null,
    });
    expect(half.statusCode).toBe(400);
    expect((await kit.send(org.admin.headers, 'DELETE', `/rate-profiles/${id}`)).statusCode).toBe(204);
    expect((await kit.get(org.admin.headers, `/rate-profiles/${id}`)).statusCode).toBe(404);
    const actions = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', id)
      .orderBy('created_at')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'rate_profile.create',
      'rate_profile.update',
      'rate_profile.delete',
    ]);
  });

  it('managers see rates only when the org allows it; techs never', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    await kit.send(org.admin.headers, 'POST', '/rate-profiles', hourly);
    const hidden = await kit.get(org.manager.headers, '/rate-profiles');
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json()).toMatchObject({ code: 'forbidden' });
    expect((await kit.get(org.manager.headers, '/pay-settings')).json()).toMatchObject({
      country: 'FR',
      currency: 'EUR',
      night_start: '22:00',
      night_end: '06:00',
      dpae_delay_hours: 48,
      managers_see_amounts: false,
      amounts_visible: false,
    });
    const allowed = await kit.send(org.admin.headers, 'PATCH', '/pay-settings', {
      managers_see_amounts: true,
    });
    expect(allowed.json()).toMatchObject({ managers_see_amounts: true, amounts_visible: true });
    const visible = await kit.get(org.manager.headers, '/rate-profiles');
    expect(visible.statusCode).toBe(200);
    expect(visible.json().items).toEqual([expect.objectContaining({ name: 'Rigger, hourly' })]);
    expect((await kit.get(org.tech.headers, '/rate-profiles')).statusCode).toBe(403);
    expect((await kit.send(org.admin.headers, 'PATCH', '/pay-settings', { country: 'XX' })).statusCode).toBe(
      400,
    );
  });

  it('binds a profile to a person, a role or a mission; one binding per target; another org’s ids are 404', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const profile = (await kit.send(org.admin.headers, 'POST', '/rate-profiles', hourly)).json().id as string;
    const user = await kit.user();
    const { missionId } = await kit.engagement(user, '2031-03-04T08:00:00.000Z', '2031-03-04T16:00:00.000Z');
    const person = await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
      profile_id: profile,
      user_id: user,
    });
    expect(person.statusCode).toBe(201);
    expect(person.json()).toMatchObject({ user_id: user, role_name: null, mission_id: null, target: 'user' });
    const again = await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
      profile_id: profile,
      user_id: user,
    });
    expect(again.json()).toMatchObject({ code: 'already_exists' });
    expect(
      (
        await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
          profile_id: profile,
          mission_id: missionId,
        })
      ).json().target,
    ).toBe('mission');
    expect(
      (
        await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
          profile_id: profile,
          role_name: 'Rigger',
          user_id: user,
        })
      ).json().target,
    ).toBe('role_user');
    const both = await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
      profile_id: profile,
      role_name: 'Rigger',
      mission_id: missionId,
    });
    expect(both.statusCode).toBe(400);
    expect(
      (await kit.send(org.admin.headers, 'POST', '/rate-bindings', { profile_id: profile })).statusCode,
    ).toBe(400);
    const other = await createOrgFixture(ctx.app);
    const foreignUser = await payKit(ctx.app, other).user();
    expect(
      (
        await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
          profile_id: profile,
          user_id: foreignUser,
        })
      ).statusCode,
    ).toBe(404);
    const list = await kit.get(org.admin.headers, `/rate-bindings?user_id=${user}`);
    expect(list.json().items.map((b: { target: string }) => b.target)).toEqual(['user', 'role_user']);
    const removed = await kit.send(org.admin.headers, 'DELETE', `/rate-bindings/${person.json().id}`);
    expect(removed.statusCode).toBe(204);
    expect((await kit.get(org.admin.headers, `/rate-bindings?user_id=${user}`)).json().items).toHaveLength(1);
  });

  securitySuite(ctx, {
    method: 'POST',
    url: (org) => `/api/v1/orgs/${org.orgId}/rate-profiles`,
    minRole: 'admin',
    body: hourly,
  });
  securitySuite(ctx, {
    method: 'PATCH',
    url: (org) => `/api/v1/orgs/${org.orgId}/pay-settings`,
    minRole: 'admin',
    body: { currency: 'EUR' },
  });
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/rate-bindings`,
    minRole: 'admin', // managers only when the org allows it (tested above)
  });
});
