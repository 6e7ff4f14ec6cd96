import { asJson } from '../../../src/platform/db/database.js';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/platform/auth/secrets.js';
import { redactUrl } from '../../../src/platform/http/logging.js';
import { useTestApp, type TestContext } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { BASE, staffingKit } from '../assignments/fixtures.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Kit hours (relative to BASE) for a time relative to now. */
const fromNow = (ms: number) => (Date.now() + ms - BASE) / HOUR;

/** An org with one INVITED assignment, and helpers for its link. */
async function linkSetup(
  ctx: TestContext,
  opts: { fromHour?: number; toHour?: number; quota?: number; org?: OrgFixture } = {},
) {
  const org = opts.org ?? (await createOrgFixture(ctx.app));
  const kit = staffingKit(ctx.app, org);
  const { missionId, roleId } = await kit.mission(opts.fromHour ?? 8, opts.toHour ?? 16, {
    quota: opts.quota ?? 2,
    title: 'Get-in',
  });
  const userId = await kit.user();
  const invited = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
  expect(invited.statusCode, invited.body).toBe(201);
  return { org, kit, missionId, roleId, userId, assignmentId: invited.json().id as string };
}

const linkUrl = (org: OrgFixture, assignmentId: string) =>
  `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/link`;

describe.each(DIALECTS)('signed links on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev', PUBLIC_BASE_URL: 'https://crew.example.com' });
  const inject = (options: InjectOptions) => ctx.app.inject(options);

  const makeLink = async (org: OrgFixture, assignmentId: string) => {
    const res = await inject({
      method: 'POST',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { url: string; expires_at: string; token: string };
  };
  const view = (token: string) => inject({ method: 'GET', url: `/api/v1/invitations/${token}` });
  const answer = (token: string, action: 'accept' | 'decline', payload?: object) =>
    inject({
      method: 'POST',
      url: `/api/v1/invitations/${token}/${action}`,
      ...(payload ? { payload } : {}),
    });
  const auditRows = (entityId: string) =>
    ctx.app.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', entityId)
      .orderBy('created_at')
      .execute();
  const assignment = (id: string) =>
    ctx.app.database.db.selectFrom('assignments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const notFoundBody = (res: Awaited<ReturnType<typeof view>>) => {
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const { request_id: _id, ...rest } = res.json();
    return rest;
  };

  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => linkUrl(org, (await linkSetup(ctx, { org })).assignmentId),
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'DELETE',
    url: async (org) => linkUrl(org, (await linkSetup(ctx, { org })).assignmentId),
    minRole: 'manager',
  });

  it('creates a link: 201 with url, expiry in 7 days and the token in dev; stores only the hash; audits', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const before = Date.now();
    const res = await inject({
      method: 'POST',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'token', 'url']);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.url).toBe(`https://crew.example.com/invitations/${body.token}`);
    const expires = Date.parse(body.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY);

    const rows = await ctx.app.database.db
      .selectFrom('invitations')
      .selectAll()
      .where('assignment_id', '=', assignmentId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      org_id: org.orgId,
      token_hash: hashToken(body.token),
      created_by: org.manager.accountId,
      revoked_at: null,
    });
    const audit = (await auditRows(assignmentId)).filter((r) => r.action === 'assignment.link_create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ org_id: org.orgId, actor_account_id: org.manager.accountId });
    const text = JSON.stringify(audit[0]);
    expect(text).not.toContain(body.token);
    expect(text).not.toContain(hashToken(body.token));
  });

  it('expires at the mission start when it comes before 7 days', async () => {
    const start = fromNow(2 * DAY);
    const { org, assignmentId } = await linkSetup(ctx, { fromHour: start, toHour: start + 8 });
    const mission = await ctx.app.database.db
      .selectFrom('assignments as a')
      .innerJoin('missions as m', 'm.id', 'a.mission_id')
      .select('m.starts_at')
      .where('a.id', '=', assignmentId)
      .executeTakeFirstOrThrow();
    const link = await makeLink(org, assignmentId);
    expect(link.expires_at).toBe(mission.starts_at);
  });

  it('refuses a link for a declined assignment (409 invalid_transition) or a started mission (409 mission_started)', async () => {
    const { org, kit, assignmentId } = await linkSetup(ctx);
    expect((await kit.act(org.manager.headers, assignmentId, 'decline')).statusCode).toBe(200);
    const declined = await inject({
      method: 'POST',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(declined.statusCode).toBe(409);
    expect(declined.json()).toMatchObject({
      code: 'invalid_transition',
      status: 409,
      assignment_status: 'DECLINED',
    });

    const started = fromNow(-2 * HOUR);
    const late = await linkSetup(ctx, { fromHour: started, toHour: started + 8 });
    const res = await inject({
      method: 'POST',
      url: linkUrl(late.org, late.assignmentId),
      headers: late.org.manager.headers,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'mission_started', status: 409 });
    const count = await ctx.app.database.db
      .selectFrom('invitations')
      .select(({ fn }) => fn.countAll().as('n'))
      .where('assignment_id', 'in', [assignmentId, late.assignmentId])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('answers 404 for another org’s assignment and for a random id, on POST and DELETE', async () => {
    const { assignmentId } = await linkSetup(ctx);
    const other = await createOrgFixture(ctx.app);
    for (const method of ['POST', 'DELETE'] as const) {
      for (const id of [assignmentId, '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d']) {
        const res = await inject({ method, url: linkUrl(other, id), headers: other.manager.headers });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ code: 'not_found', detail: 'Assignment not found' });
      }
    }
  });

  it('shows the holder only the org name, mission, role, status and expiry', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const link = await makeLink(org, assignmentId);
    const res = await view(link.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      org: { name: org.name },
      mission: {
        title: 'Get-in',
        starts_at: new Date(BASE + 8 * HOUR).toISOString(),
        ends_at: new Date(BASE + 16 * HOUR).toISOString(),
        location: 'Lyon',
      },
      role: { name: 'Rigger' },
      status: 'INVITED',
      expires_at: link.expires_at,
    });
  });

  it('accepts through the link once; a second accept answers the same view and writes nothing', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const link = await makeLink(org, assignmentId);
    const first = await answer(link.token, 'accept');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'ACCEPTED',
      role: { name: 'Rigger' },
      org: { name: org.name },
    });
    const accepted = await assignment(assignmentId);
    expect(accepted.status).toBe('ACCEPTED');
    const audit = await auditRows(assignmentId);
    const accepts = audit.filter((r) => r.action === 'assignment.accept');
    expect(accepts).toEqual([expect.objectContaining({ actor_account_id: null, org_id: org.orgId })]);
    expect(asJson(accepts[0]!.after)).toEqual({ status: 'ACCEPTED', via: 'link' });

    const second = await answer(link.token, 'accept');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await auditRows(assignmentId)).toHaveLength(audit.length);
    expect(await assignment(assignmentId)).toEqual(accepted);
    const role = await ctx.app.database.db
      .selectFrom('mission_roles')
      .select('accepted_count')
      .where('id', '=', accepted.role_id)
      .executeTakeFirstOrThrow();
    expect(Number(role.accepted_count)).toBe(1);
  });

  it('declines through the link once (twice is the same), then refuses to accept (409)', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const link = await makeLink(org, assignmentId);
    const first = await answer(link.token, 'decline', { reason: 'On tour' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'DECLINED' });
    expect(await assignment(assignmentId)).toMatchObject({ status: 'DECLINED', reason: 'On tour' });
    const count = (await auditRows(assignmentId)).length;

    const again = await answer(link.token, 'decline');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await auditRows(assignmentId)).toHaveLength(count);
    expect(await assignment(assignmentId)).toMatchObject({ status: 'DECLINED', reason: 'On tour' });

    const accept = await answer(link.token, 'accept');
    expect(accept.statusCode).toBe(409);
    expect(accept.json()).toMatchObject({ code: 'invalid_transition', status: 409 });
    expect(await auditRows(assignmentId)).toHaveLength(count);
  });

  it('refuses to accept through the link when a blocking rule applies: 409 rule_violation with the reasons', async () => {
    const { org, kit, userId, missionId, assignmentId } = await linkSetup(ctx);
    // the same person accepted another mission overlapping this one
    const other = await kit.mission(10, 18, { title: 'Load-out' });
    const busy = await kit.invite(org.manager.headers, other.missionId, {
      user_id: userId,
      role_id: other.roleId,
    });
    expect((await kit.act(org.manager.headers, busy.json().id, 'accept')).statusCode).toBe(200);

    const link = await makeLink(org, assignmentId);
    const res = await answer(link.token, 'accept');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'rule_violation',
      reasons: [
        {
          rule: 'overlap_accepted',
          severity: 'block',
          assignment_id: busy.json().id,
          mission_id: other.missionId,
        },
      ],
    });
    expect(missionId).not.toBe(other.missionId);
    expect(await assignment(assignmentId)).toMatchObject({ status: 'INVITED' });
  });

  it('refuses to accept through the link when the role is full: 409 role_full', async () => {
    const { org, kit, missionId, roleId, assignmentId } = await linkSetup(ctx, { quota: 1 });
    const rival = await kit.user();
    const taken = await kit.invite(org.manager.headers, missionId, { user_id: rival, role_id: roleId });
    expect((await kit.act(org.manager.headers, taken.json().id, 'accept')).statusCode).toBe(200);
    const link = await makeLink(org, assignmentId);
    const res = await answer(link.token, 'accept');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'role_full' });
    expect(await assignment(assignmentId)).toMatchObject({ status: 'INVITED' });
  });

  it('answers the same 404 for an unknown, tampered, expired or revoked token', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const link = await makeLink(org, assignmentId);
    const tampered = (link.token[0] === 'A' ? 'B' : 'A') + link.token.slice(1);
    const unknown = notFoundBody(await view('x'.repeat(43)));
    expect(unknown).toMatchObject({ code: 'not_found', status: 404 });
    expect(notFoundBody(await view(tampered))).toEqual(unknown);
    expect(notFoundBody(await answer(tampered, 'accept'))).toEqual(unknown);

    // expired
    const second = await linkSetup(ctx);
    const expiring = await makeLink(second.org, second.assignmentId);
    await ctx.app.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('token_hash', '=', hashToken(expiring.token))
      .execute();
    expect(notFoundBody(await view(expiring.token))).toEqual(unknown);
    expect(notFoundBody(await answer(expiring.token, 'accept'))).toEqual(unknown);
    expect(await assignment(second.assignmentId)).toMatchObject({ status: 'INVITED' });

    // revoked
    const revoke = await inject({
      method: 'DELETE',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(revoke.statusCode).toBe(204);
    expect(revoke.body).toBe('');
    expect(notFoundBody(await view(link.token))).toEqual(unknown);
    expect(notFoundBody(await answer(link.token, 'accept'))).toEqual(unknown);
    expect(notFoundBody(await answer(link.token, 'decline'))).toEqual(unknown);
    expect(await assignment(assignmentId)).toMatchObject({ status: 'INVITED' });
    const audit = (await auditRows(assignmentId)).filter((r) => r.action === 'assignment.link_revoke');
    expect(audit).toEqual([expect.objectContaining({ actor_account_id: org.manager.accountId })]);

    // revoking again is a no-op: 204, no new audit row
    const again = await inject({
      method: 'DELETE',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(again.statusCode).toBe(204);
    expect((await auditRows(assignmentId)).filter((r) => r.action === 'assignment.link_revoke')).toHaveLength(
      1,
    );
  });

  it('a new link revokes the previous one', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const old = await makeLink(org, assignmentId);
    const fresh = await makeLink(org, assignmentId);
    expect(fresh.token).not.toBe(old.token);
    expect(notFoundBody(await view(old.token))).toMatchObject({ code: 'not_found' });
    const res = await view(fresh.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'INVITED', expires_at: fresh.expires_at });
    const live = await ctx.app.database.db
      .selectFrom('invitations')
      .select('id')
      .where('assignment_id', '=', assignmentId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(1);
  });

  it('a token only ever acts on its own assignment', async () => {
    const { org, kit, missionId, roleId, assignmentId } = await linkSetup(ctx);
    const otherUser = await kit.user();
    const other = await kit.invite(org.manager.headers, missionId, { user_id: otherUser, role_id: roleId });
    const otherId = other.json().id as string;
    const mine = await makeLink(org, assignmentId);
    const theirs = await makeLink(org, otherId);

    const res = await answer(mine.token, 'accept');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ACCEPTED' });
    expect(await assignment(assignmentId)).toMatchObject({ status: 'ACCEPTED' });
    expect(await assignment(otherId)).toMatchObject({ status: 'INVITED' });
    const theirView = await view(theirs.token);
    expect(theirView.statusCode).toBe(200);
    expect(theirView.json()).toMatchObject({ status: 'INVITED' });

    // declining with their token leaves mine accepted
    const declined = await answer(theirs.token, 'decline');
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toMatchObject({ status: 'DECLINED' });
    expect(await assignment(assignmentId)).toMatchObject({ status: 'ACCEPTED' });
  });

  it('keeps tokens of the public paths out of the logs', () => {
    expect(redactUrl('/api/v1/invitations/abc-DEF_123')).toBe('/api/v1/invitations/[redacted]');
    expect(redactUrl('/api/v1/invitations/abc-DEF_123/accept')).toBe('/api/v1/invitations/[redacted]/accept');
    expect(redactUrl('/api/v1/invitations/abc-DEF_123/decline?x=1')).toBe(
      '/api/v1/invitations/[redacted]/decline?x=1',
    );
  });
});

describe.each(DIALECTS)('signed links outside dev on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('never returns the raw token, only the url', async () => {
    const { org, assignmentId } = await linkSetup(ctx);
    const res = await ctx.app.inject({
      method: 'POST',
      url: linkUrl(org, assignmentId),
      headers: org.manager.headers,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'url']);
    const token = body.url.split('/invitations/')[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ status: 'INVITED' });
  });
});
