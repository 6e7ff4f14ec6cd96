import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS, racesCanHappen, RACES_ONLY_WHERE_POSSIBLE } from '../../helpers/database.js';
import {
  bearer,
  createAccount,
  createOrgFixture,
  tokenFor,
  uniqueEmail,
  type OrgFixture,
} from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';

describe.each(DIALECTS)('members on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev' });
  const members = (org: OrgFixture) => `/api/v1/orgs/${org.orgId}/members`;
  const invite = (
    org: OrgFixture,
    as: keyof Pick<OrgFixture, 'owner' | 'admin'>,
    email: string,
    role: string,
  ) =>
    ctx.app.inject({ method: 'POST', url: members(org), headers: org[as].headers, payload: { email, role } });
  const accept = (token: string, payload: object = {}, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/org-invitations/${token}/accept`, payload, headers });
  const patch = (org: OrgFixture, as: 'owner' | 'admin', accountId: string, role: string) =>
    ctx.app.inject({
      method: 'PATCH',
      url: `${members(org)}/${accountId}`,
      headers: org[as].headers,
      payload: { role },
    });
  const remove = (org: OrgFixture, as: 'owner' | 'admin', accountId: string) =>
    ctx.app.inject({ method: 'DELETE', url: `${members(org)}/${accountId}`, headers: org[as].headers });

  it('lists members with pagination', async () => {
    const org = await createOrgFixture(ctx.app);
    const first = await ctx.app.inject({
      method: 'GET',
      url: `${members(org)}?limit=3`,
      headers: org.manager.headers,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(3);
    const second = await ctx.app.inject({
      method: 'GET',
      url: `${members(org)}?limit=3&cursor=${first.json().next_cursor}`,
      headers: org.manager.headers,
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ items: [expect.any(Object)], next_cursor: null });
    // every member once, in join order (ties, within a millisecond, by account id)
    const listed = [...first.json().items, ...second.json().items];
    const expected = (['owner', 'admin', 'manager', 'tech'] as const).map((role) => ({
      account_id: org[role].accountId,
      email: org[role].email,
      role,
      joined_at: expect.any(String),
    }));
    expect(listed).toEqual(expect.arrayContaining(expected));
    const keys = listed.map(
      (m: { joined_at: string; account_id: string }) => `${m.joined_at}|${m.account_id}`,
    );
    expect(keys).toEqual([...keys].sort());
    const bad = await ctx.app.inject({
      method: 'GET',
      url: `${members(org)}?cursor=garbage`,
      headers: org.manager.headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', detail: expect.stringMatching(/cursor/) });
  });

  it('invites by email; a new person accepts with a password and can log in', async () => {
    const org = await createOrgFixture(ctx.app);
    const email = uniqueEmail('newcomer');
    const res = await invite(org, 'admin', email, 'manager');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      invitation_id: expect.any(String),
      expires_at: expect.any(String),
      token: expect.stringMatching(/^[\w-]{43}$/),
    });
    const days = (Date.parse(res.json().expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    const joined = await accept(res.json().token, { password: 'Newcomer-passphrase-1' });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toEqual({
      org_id: org.orgId,
      account_id: expect.any(String),
      membership_id: expect.any(String),
      role: 'manager',
    });
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Newcomer-passphrase-1' },
    });
    expect(login.json()).toMatchObject({ org_id: org.orgId });
    const again = await accept(res.json().token, { password: 'Newcomer-passphrase-1' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'invalid_token' });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', org.orgId)
      .where('action', 'like', 'member.%')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['member.invite', 'member.join']);
  });

  it('an existing account accepts while logged in, only for its own email', async () => {
    const org = await createOrgFixture(ctx.app);
    const account = await createAccount(ctx.app);
    const stranger = await createAccount(ctx.app);
    const { token } = (await invite(org, 'admin', account.email.toUpperCase(), 'tech')).json();
    const withoutLogin = await accept(token, { password: 'Some-passphrase-1' });
    expect(withoutLogin.statusCode).toBe(409);
    expect(withoutLogin.json()).toMatchObject({ code: 'email_taken' });
    const wrongAccount = await accept(token, {}, bearer(await tokenFor(ctx.app, stranger.id, null)));
    expect(wrongAccount.statusCode).toBe(403);
    const ok = await accept(token, {}, bearer(await tokenFor(ctx.app, account.id, null)));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ org_id: org.orgId, account_id: account.id, role: 'tech' });
    expect(
      (await accept('made-up-token', {}, bearer(await tokenFor(ctx.app, account.id, null)))).json(),
    ).toMatchObject({ status: 400, code: 'invalid_token' });
  });

  it('refuses to invite an existing member, and only owners invite owners and admins', async () => {
    const org = await createOrgFixture(ctx.app);
    expect((await invite(org, 'owner', org.tech.email, 'manager')).json()).toMatchObject({
      status: 409,
      code: 'already_exists',
    });
    expect((await invite(org, 'admin', uniqueEmail(), 'admin')).json()).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect((await invite(org, 'admin', uniqueEmail(), 'owner')).json()).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect((await invite(org, 'owner', uniqueEmail(), 'admin')).statusCode).toBe(201);
    expect((await invite(org, 'admin', 'not-an-email', 'tech')).json()).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('an expired invitation is refused', async () => {
    const org = await createOrgFixture(ctx.app);
    const { token, invitation_id } = (await invite(org, 'admin', uniqueEmail(), 'tech')).json();
    await ctx.app.database.db
      .updateTable('org_invitations')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', invitation_id)
      .execute();
    expect((await accept(token, { password: 'Some-passphrase-1' })).json()).toMatchObject({
      status: 400,
      code: 'invalid_token',
    });
  });

  it('admins manage managers and techs; only owners grant or remove owner and admin', async () => {
    const org = await createOrgFixture(ctx.app);
    const promoted = await patch(org, 'admin', org.tech.accountId, 'manager');
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toEqual({
      account_id: org.tech.accountId,
      email: org.tech.email,
      role: 'manager',
      joined_at: expect.any(String),
    });
    expect((await patch(org, 'admin', org.tech.accountId, 'admin')).json()).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect((await patch(org, 'admin', org.owner.accountId, 'tech')).json()).toMatchObject({ status: 403 });
    expect((await remove(org, 'admin', org.owner.accountId)).statusCode).toBe(403);
    expect((await patch(org, 'owner', org.admin.accountId, 'manager')).statusCode).toBe(200);
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('org_id', '=', org.orgId)
      .where('action', '=', 'member.role_change')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('removal applies from the very next request; another org’s member answers 404', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const res = await remove(org, 'admin', org.manager.accountId);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const after = await ctx.app.inject({ method: 'GET', url: members(org), headers: org.manager.headers });
    expect(after.statusCode).toBe(403);
    expect(after.json()).toMatchObject({ code: 'forbidden', detail: 'Not a member of this org' });
    const foreign = await patch(org, 'owner', other.tech.accountId, 'manager');
    const missing = await patch(org, 'owner', crypto.randomUUID(), 'manager');
    expect(foreign.statusCode).toBe(404);
    const { request_id: _a, ...foreignBody } = foreign.json();
    const { request_id: _b, ...missingBody } = missing.json();
    expect(foreignBody).toEqual(missingBody);
    expect((await remove(org, 'owner', other.tech.accountId)).statusCode).toBe(404);
  });

  it('never demotes or removes the last owner', async () => {
    const org = await createOrgFixture(ctx.app);
    expect((await patch(org, 'owner', org.owner.accountId, 'admin')).json()).toMatchObject({
      status: 409,
      code: 'last_owner',
    });
    expect((await remove(org, 'owner', org.owner.accountId)).json()).toMatchObject({
      status: 409,
      code: 'last_owner',
    });
    expect((await patch(org, 'owner', org.admin.accountId, 'owner')).statusCode).toBe(200);
    expect((await patch(org, 'owner', org.owner.accountId, 'admin')).statusCode).toBe(200);
  });

  it.runIf(racesCanHappen(dialect))(
    `two owners demoting each other at the same moment leave one owner ${RACES_ONLY_WHERE_POSSIBLE}`,
    async () => {
      for (let round = 0; round < 3; round++) {
        const org = await createOrgFixture(ctx.app);
        await patch(org, 'owner', org.admin.accountId, 'owner');
        const [a, b] = await Promise.all([
          ctx.app.inject({
            method: 'PATCH',
            url: `${members(org)}/${org.admin.accountId}`,
            headers: org.owner.headers,
            payload: { role: 'tech' },
          }),
          ctx.app.inject({
            method: 'PATCH',
            url: `${members(org)}/${org.owner.accountId}`,
            headers: org.admin.headers,
            payload: { role: 'tech' },
          }),
        ]);
        const statuses = [a!.statusCode, b!.statusCode].sort();
        // the loser is refused either as the last owner, or because its caller is no longer an owner
        expect(statuses[0]).toBe(200);
        expect([403, 409]).toContain(statuses[1]);
        const owners = await ctx.app.database.db
          .selectFrom('org_memberships')
          .select('account_id')
          .where('org_id', '=', org.orgId)
          .where('role', '=', 'owner')
          .execute();
        expect(owners).toHaveLength(1);
      }
    },
  );

  securitySuite(ctx, { method: 'GET', url: (org) => members(org), minRole: 'manager' });
  securitySuite(ctx, {
    method: 'POST',
    url: (org) => members(org),
    minRole: 'admin',
    body: { email: 'someone@example.com', role: 'tech' },
  });
  securitySuite(ctx, {
    method: 'PATCH',
    url: (org) => `${members(org)}/${org.tech.accountId}`,
    minRole: 'admin',
    body: { role: 'manager' },
  });
  securitySuite(ctx, {
    method: 'DELETE',
    url: (org) => `${members(org)}/${org.tech.accountId}`,
    minRole: 'admin',
  });
});
