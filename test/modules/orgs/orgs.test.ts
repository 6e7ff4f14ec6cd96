import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { bearer, createAccount, createOrgFixture, tokenFor } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';

describe.each(DIALECTS)('orgs on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('any logged-in account creates an org and becomes its owner', async () => {
    const account = await createAccount(ctx.app);
    const headers = bearer(await tokenFor(ctx.app, account.id, null));
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers,
      payload: { name: '  Festival des Nuits  ', timezone: 'America/Montreal' },
    });
    expect(res.statusCode).toBe(201);
    const org = res.json();
    expect(org).toEqual({
      id: expect.any(String),
      name: 'Festival des Nuits',
      timezone: 'America/Montreal',
      role: 'owner',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/orgs', headers });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual({
      items: [
        {
          org_id: org.id,
          name: 'Festival des Nuits',
          timezone: 'America/Montreal',
          role: 'owner',
          joined_at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', org.id)
      .orderBy('action')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['member.add', 'org.create']);
  });

  it('defaults the time zone to Europe/Paris and refuses unknown zones and fields', async () => {
    const account = await createAccount(ctx.app);
    const headers = bearer(await tokenFor(ctx.app, account.id, null));
    const made = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers,
      payload: { name: 'Parisian' },
    });
    expect(made.json()).toMatchObject({ timezone: 'Europe/Paris' });
    const badZone = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers,
      payload: { name: 'X', timezone: 'Mars/Olympus' },
    });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json()).toMatchObject({
      code: 'validation_failed',
      detail: expect.stringMatching(/Mars\/Olympus/),
    });
    const unknown = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers,
      payload: { name: 'X', color: 'red' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ location: 'body', path: '/', message: 'unknown field "color"' }],
    });
    expect(
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', payload: { name: 'X' } })).statusCode,
    ).toBe(401);
  });

  it('members read the org; admins rename it, with an audit row', async () => {
    const org = await createOrgFixture(ctx.app);
    const read = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}`,
      headers: org.tech.headers,
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id: org.orgId,
      name: org.name,
      timezone: 'Europe/Paris',
      role: 'tech',
    });
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}`,
      headers: org.admin.headers,
      payload: { name: 'Renamed', timezone: 'Europe/Brussels' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id: org.orgId,
      name: 'Renamed',
      timezone: 'Europe/Brussels',
      role: 'admin',
    });
    const row = await ctx.app.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', org.orgId)
      .where('action', '=', 'org.update')
      .executeTakeFirstOrThrow();
    expect(row.actor_account_id).toBe(org.admin.accountId);
    expect(JSON.stringify(row.after)).toContain('Renamed');
    expect(
      (
        await ctx.app.inject({
          method: 'PATCH',
          url: `/api/v1/orgs/${org.orgId}`,
          headers: org.admin.headers,
          payload: {},
        })
      ).statusCode,
    ).toBe(400);
  });

  securitySuite(ctx, { method: 'GET', url: (org) => `/api/v1/orgs/${org.orgId}`, minRole: 'tech' });
  securitySuite(ctx, {
    method: 'PATCH',
    url: (org) => `/api/v1/orgs/${org.orgId}`,
    minRole: 'admin',
    body: { name: 'New name' },
  });
});
