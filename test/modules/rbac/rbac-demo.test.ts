import { describe, expect, it } from 'vitest';
import type { MemberRole } from '../../../src/platform/db/tables.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, expiredTokenFor } from '../../helpers/factories.js';

const ROLES: MemberRole[] = ['tech', 'manager', 'admin', 'owner'];
// endpoint → roles that pass
const MATRIX: Record<string, MemberRole[]> = {
  any: ['tech', 'manager', 'admin', 'owner'],
  manager: ['manager', 'admin', 'owner'],
  admin: ['admin', 'owner'],
  owner: ['owner'],
};

describe.each(DIALECTS)('RBAC demo endpoints on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('answers the whole role matrix', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const [endpoint, allowed] of Object.entries(MATRIX)) {
      for (const role of ROLES) {
        const res = await ctx.app.inject({
          method: 'GET',
          url: `/api/v1/rbac_demo/${endpoint}`,
          headers: org[role].headers,
        });
        if (allowed.includes(role)) {
          expect(res.statusCode, `${role} on ${endpoint}`).toBe(200);
          expect(res.json()).toEqual({ ok: true, role });
        } else {
          expect(res.statusCode, `${role} on ${endpoint}`).toBe(403);
          expect(res.json()).toMatchObject({
            status: 403,
            code: 'forbidden',
            detail: `This action requires the ${endpoint} role or higher`,
          });
        }
      }
    }
  });

  it('401 without a valid token on every demo endpoint', async () => {
    const org = await createOrgFixture(ctx.app);
    const expired = await expiredTokenFor(ctx.app, org.owner.accountId, org.orgId);
    for (const endpoint of ['any', 'manager', 'admin', 'owner', `scoped/${org.orgId}`]) {
      for (const headers of [{}, { authorization: `Bearer ${expired}` }]) {
        const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/rbac_demo/${endpoint}`, headers });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'unauthorized' });
      }
    }
  });

  it('scoped/{org_id} checks the path org against the token org', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const ok = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/rbac_demo/scoped/${org.orgId}`,
      headers: org.tech.headers,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, role: 'tech' });
    const denied = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/rbac_demo/scoped/${other.orgId}`,
      headers: org.owner.headers,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({
      code: 'forbidden',
      detail: 'The token is scoped to another org: switch org first',
    });
    const malformed = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/rbac_demo/scoped/not-a-uuid',
      headers: org.owner.headers,
    });
    expect(malformed.statusCode).toBe(403);
  });

  it('a demotion applies from the very next request', async () => {
    const org = await createOrgFixture(ctx.app);
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/api/v1/rbac_demo/admin', headers: org.admin.headers }))
        .statusCode,
    ).toBe(200);
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/members/${org.admin.accountId}`,
      headers: org.owner.headers,
      payload: { role: 'tech' },
    });
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/rbac_demo/admin',
      headers: org.admin.headers,
    });
    expect(res.statusCode).toBe(403);
  });
});
