import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { payKit } from './fixtures.js';

describe.each(DIALECTS)('timesheets on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const audit = (entityId: string) =>
    ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_account_id'])
      .where('entity_id', '=', entityId)
      .orderBy('created_at')
      .execute();

  async function setup() {
    const org = await createOrgFixture(ctx.app);
    const kit = payKit(ctx.app, org);
    const own = await kit.user({ accountId: org.tech.accountId, first: 'Tech' });
    const other = await kit.user({ first: 'Other' });
    return { org, kit, own, other };
  }

  it('a tech enters their own timesheet, submits it; a manager approves, which locks it; reopening is audited', async () => {
    const { org, kit, own } = await setup();
    // Wednesday 5 March 2031, 20:00 → 04:00 Paris (CET)
    const { assignmentId } = await kit.engagement(
      own,
      '2031-03-05T19:00:00.000Z',
      '2031-03-06T03:00:00.000Z',
    );
    const fresh = await kit.sheet(org.tech.headers, assignmentId);
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({
      assignment_id: assignmentId,
      timesheet_id: null,
      saved: false,
      user_id: own,
      status: 'DRAFT',
      worked_start: '2031-03-05T19:00:00.000Z',
      worked_end: '2031-03-06T03:00:00.000Z',
      break_minutes: 0,
      minutes: { planned: 480, elapsed: 480, worked: 480, night: 360, sunday: 0, holiday: 0 },
    });

    const entered = await kit.sheet(org.tech.headers, assignmentId, {
      worked_end: '2031-03-06T03:30:00.000Z',
      break_minutes: 30,
      comment: 'Get-out ran late',
    });
    expect(entered.statusCode).toBe(200);
    expect(entered.json()).toMatchObject({
      saved: true,
      status: 'DRAFT',
      worked_end: '2031-03-06T03:30:00.000Z',
      comment: 'Get-out ran late',
      minutes: { planned: 480, elapsed: 510, worked: 480, night: 390 },
    });
    const timesheetId = entered.json().timesheet_id as string;

    expect((await kit.move(org.tech.headers, assignmentId, 'submit')).json()).toMatchObject({
      status: 'SUBMITTED',
    });
    const refused = await kit.sheet(org.tech.headers, assignmentId, { break_minutes: 0 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'invalid_transition', timesheet_status: 'SUBMITTED' });
    expect((await kit.move(org.tech.headers, assignmentId, 'approve')).statusCode).toBe(403);

    const approved = await kit.move(org.manager.headers, assignmentId, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'APPROVED', decided_by: org.manager.accountId });
    for (const headers of [org.tech.headers, org.manager.headers]) {
      const locked = await kit.sheet(headers, assignmentId, { break_minutes: 45 });
      expect(locked.statusCode).toBe(409);
      expect(locked.json()).toMatchObject({ code: 'timesheet_locked', timesheet_status: 'APPROVED' });
    }
    const again = await kit.move(org.manager.headers, assignmentId, 'approve');
    expect(again.json()).toMatchObject({ code: 'invalid_transition' });

    const reopened = await kit.move(org.manager.headers, assignmentId, 'reopen', { reason: 'Wrong break' });
    expect(reopened.json()).toMatchObject({ status: 'DRAFT', decided_at: null });
    expect((await kit.sheet(org.manager.headers, assignmentId, { break_minutes: 45 })).json()).toMatchObject({
      minutes: { worked: 465 },
    });
    expect(await audit(timesheetId)).toEqual([
      { action: 'timesheet.create', actor_account_id: org.tech.accountId },
      { action: 'timesheet.update', actor_account_id: org.tech.accountId },
      { action: 'timesheet.submit', actor_account_id: org.tech.accountId },
      { action: 'timesheet.approve', actor_account_id: org.manager.accountId },
      { action: 'timesheet.reopen', actor_account_id: org.manager.accountId },
      { action: 'timesheet.update', actor_account_id: org.manager.accountId },
    ]);
  });

  it('sent back with a reason, corrected and submitted again', async () => {
    const { org, kit, own } = await setup();
    const { assignmentId } = await kit.engagement(
      own,
      '2031-03-04T08:00:00.000Z',
      '2031-03-04T16:00:00.000Z',
    );
    await kit.move(org.tech.headers, assignmentId, 'submit');
    const back = await kit.move(org.manager.headers, assignmentId, 'send-back', {
      reason: 'The break is missing',
    });
    expect(back.json()).toMatchObject({ status: 'SENT_BACK', sent_back_reason: 'The break is missing' });
    expect((await kit.sheet(org.tech.headers, assignmentId, { break_minutes: 60 })).json()).toMatchObject({
      status: 'SENT_BACK',
      minutes: { worked: 420 },
    });
    expect((await kit.move(org.tech.headers, assignmentId, 'submit')).json()).toMatchObject({
      status: 'SUBMITTED',
      sent_back_reason: null,
    });
  });

  it('a tech sees and enters only their own: another person’s is 404, the list holds only theirs', async () => {
    const { org, kit, own, other } = await setup();
    const mine = await kit.engagement(own, '2031-03-10T08:00:00.000Z', '2031-03-10T12:00:00.000Z');
    const theirs = await kit.engagement(other, '2031-03-10T08:00:00.000Z', '2031-03-10T12:00:00.000Z');
    expect((await kit.sheet(org.tech.headers, theirs.assignmentId)).statusCode).toBe(404);
    const write = await kit.sheet(org.tech.headers, theirs.assignmentId, { break_minutes: 10 });
    expect(write.statusCode).toBe(404);
    expect(write.json()).toMatchObject({ code: 'not_found' });
    const list = await kit.get(org.tech.headers, '/timesheets?month=2031-03');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((t: { assignment_id: string }) => t.assignment_id)).toEqual([
      mine.assignmentId,
    ]);
    const all = await kit.get(org.manager.headers, '/timesheets?month=2031-03&limit=1');
    expect(all.json().items).toHaveLength(1);
    const rest = await kit.get(
      org.manager.headers,
      `/timesheets?month=2031-03&limit=1&cursor=${all.json().next_cursor}`,
    );
    expect(rest.json()).toMatchObject({ items: [expect.any(Object)], next_cursor: null });
    expect(await kit.get(org.manager.headers, '/timesheets?month=2031-04')).toMatchObject({
      statusCode: 200,
    });
    expect((await kit.get(org.manager.headers, '/timesheets?month=2031-04')).json()).toEqual({
      items: [],
      next_cursor: null,
    });
    // another org's manager: 404 like missing
    const stranger = await createOrgFixture(ctx.app);
    const cross = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${stranger.orgId}/assignments/${mine.assignmentId}/timesheet`,
      headers: stranger.manager.headers,
    });
    expect(cross.statusCode).toBe(404);
  });

  it('computes night, Sunday and holiday minutes across a DST weekend and on a public holiday', async () => {
    const { org, kit, own } = await setup();
    // Sat 29 → Sun 30 March 2031, 22:00 → 06:00 Paris: the clocks jump forward, 7 h
    const spring = await kit.engagement(own, '2031-03-29T21:00:00.000Z', '2031-03-30T04:00:00.000Z');
    expect((await kit.sheet(org.manager.headers, spring.assignmentId)).json().minutes).toEqual({
      planned: 420,
      elapsed: 420,
      worked: 420,
      night: 420,
      sunday: 300,
      holiday: 0,
    });
    // 14 July 2031 (Monday), 10:00 → 18:00 Paris
    const bastille = await kit.engagement(own, '2031-07-14T08:00:00.000Z', '2031-07-14T16:00:00.000Z');
    expect((await kit.sheet(org.manager.headers, bastille.assignmentId)).json().minutes).toMatchObject({
      worked: 480,
      holiday: 480,
      night: 0,
    });
    // another country: 14 July is no holiday in Germany
    expect((await kit.send(org.admin.headers, 'PATCH', '/pay-settings', { country: 'DE' })).statusCode).toBe(
      200,
    );
    expect((await kit.sheet(org.manager.headers, bastille.assignmentId)).json().minutes.holiday).toBe(0);
  });

  it('refuses what makes no sense: 400 for bad spans, 403 for a tech setting the pay basis, 409 when not accepted', async () => {
    const { org, kit, own } = await setup();
    const { assignmentId } = await kit.engagement(
      own,
      '2031-03-04T08:00:00.000Z',
      '2031-03-04T16:00:00.000Z',
    );
    const backwards = await kit.sheet(org.manager.headers, assignmentId, {
      worked_end: '2031-03-04T07:00:00.000Z',
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'validation_failed' });
    expect((await kit.sheet(org.manager.headers, assignmentId, { break_minutes: 480 })).statusCode).toBe(400);
    expect((await kit.sheet(org.manager.headers, assignmentId, { cachets: 2 })).statusCode).toBe(400);
    const basis = await kit.sheet(org.tech.headers, assignmentId, { pay_basis: 'CACHET' });
    expect(basis.statusCode).toBe(403);
    expect(
      (await kit.sheet(org.manager.headers, assignmentId, { pay_basis: 'CACHET', cachets: 2 })).json(),
    ).toMatchObject({ pay_basis: 'CACHET', cachets: 2 });
    const invited = await kit.engagement(own, '2031-03-05T08:00:00.000Z', '2031-03-05T16:00:00.000Z', {
      status: 'INVITED',
    });
    const notYet = await kit.sheet(org.manager.headers, invited.assignmentId);
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json()).toMatchObject({ code: 'invalid_transition', assignment_status: 'INVITED' });
  });

  const sharedUrl = async (org: OrgFixture, suffix = '') => {
    const kit = payKit(ctx.app, org);
    const { assignmentId } = await kit.engagement(
      await kit.user(),
      '2031-03-04T08:00:00.000Z',
      '2031-03-04T16:00:00.000Z',
    );
    return `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/timesheet${suffix}`;
  };
  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/timesheets?month=2031-03`,
    minRole: 'tech',
  });
  securitySuite(ctx, {
    method: 'PUT',
    url: (org) => sharedUrl(org),
    minRole: 'tech',
    body: { break_minutes: 5 },
  });
  securitySuite(ctx, {
    method: 'POST',
    url: (org) => sharedUrl(org, '/approve'),
    minRole: 'manager',
    body: {},
  });
});
