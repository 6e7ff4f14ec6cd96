import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { payKit } from './fixtures.js';

const HOUR = 3600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

describe.each(DIALECTS)('DPAE on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('lists ACCEPTED assignments starting within the delay without a DPAE; recording one removes it, audited', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const user = await kit.user();
    const soon = await kit.engagement(user, inHours(2), inHours(6), { title: 'Soon' });
    const tomorrow = await kit.engagement(user, inHours(30), inHours(34), { title: 'Tomorrow' });
    await kit.engagement(user, inHours(72), inHours(76), { title: 'Later' });
    await kit.engagement(user, inHours(-3), inHours(-1), { title: 'Started' });
    await kit.engagement(user, inHours(3), inHours(5), { title: 'Invited', status: 'INVITED' });

    const missing = await kit.get(org.manager.headers, '/dpae/missing');
    expect(missing.statusCode).toBe(200);
    expect(missing.json()).toMatchObject({ within_hours: 48, next_cursor: null });
    expect(missing.json().items.map((i: { mission: { title: string } }) => i.mission.title)).toEqual([
      'Soon',
      'Tomorrow',
    ]);
    expect(missing.json().items[0]).toMatchObject({
      assignment_id: soon.assignmentId,
      user_id: user,
      role_name: 'Rigger',
    });

    expect((await kit.get(org.manager.headers, `/assignments/${soon.assignmentId}/dpae`)).json()).toEqual({
      assignment_id: soon.assignmentId,
      declared: false,
      declared_at: null,
      reference: null,
      recorded_by: null,
    });
    const recorded = await kit.send(org.manager.headers, 'POST', `/assignments/${soon.assignmentId}/dpae`, {
      declared_at: '2031-03-01T09:12:00.000Z',
      reference: 'DPAE-123',
    });
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json()).toEqual({
      assignment_id: soon.assignmentId,
      declared: true,
      declared_at: '2031-03-01T09:12:00.000Z',
      reference: 'DPAE-123',
      recorded_by: org.manager.accountId,
    });
    const corrected = await kit.send(org.manager.headers, 'POST', `/assignments/${soon.assignmentId}/dpae`);
    expect(corrected.json()).toMatchObject({ declared: true, reference: null });
    const after = await kit.get(org.manager.headers, '/dpae/missing?within_hours=100');
    expect(after.json().items.map((i: { assignment_id: string }) => i.assignment_id)).toEqual([
      tomorrow.assignmentId,
      expect.any(String),
    ]);
    const page = await kit.get(org.manager.headers, '/dpae/missing?within_hours=100&limit=1');
    expect(page.json().items).toHaveLength(1);
    const next = await kit.get(
      org.manager.headers,
      `/dpae/missing?within_hours=100&limit=1&cursor=${page.json().next_cursor}`,
    );
    expect(next.json().items[0].mission.title).toBe('Later');

    // the org's delay applies by default
    await kit.send(org.admin.headers, 'PATCH', '/pay-settings', { dpae_delay_hours: 4 });
    expect((await kit.get(org.manager.headers, '/dpae/missing')).json()).toMatchObject({
      within_hours: 4,
      items: [],
    });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', soon.assignmentId)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['assignment.dpae', 'assignment.dpae']);
  });

  it('another org’s assignment is 404; a cancelled one is 409', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const { assignmentId } = await kit.engagement(await kit.user(), inHours(2), inHours(4));
    const other = await createOrgFixture(ctx.app);
    const foreign = await payKit(ctx.app, other).send(
      other.manager.headers,
      'POST',
      `/assignments/${assignmentId}/dpae`,
    );
    expect(foreign.statusCode).toBe(404);
    await ctx.app.database.db
      .updateTable('assignments')
      .set({ status: 'CANCELLED' })
      .where('id', '=', assignmentId)
      .execute();
    const cancelled = await kit.send(org.manager.headers, 'POST', `/assignments/${assignmentId}/dpae`);
    expect(cancelled.statusCode).toBe(409);
    expect(cancelled.json()).toMatchObject({ code: 'invalid_transition', assignment_status: 'CANCELLED' });
  });

  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/dpae/missing`,
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => {
      const kit = payKit(ctx.app, org);
      const { assignmentId } = await kit.engagement(await kit.user(), inHours(2), inHours(4));
      return `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/dpae`;
    },
    minRole: 'manager',
    body: {},
  });
});
