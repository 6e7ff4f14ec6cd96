import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

describe.each(DIALECTS)('request validation on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('keeps null as null in bodies and never coerces body types', async () => {
    const org = await createOrgFixture(ctx.app);
    const url = `/api/v1/orgs/${org.orgId}/users`;
    const created = await ctx.app.inject({
      method: 'POST',
      url,
      headers: org.admin.headers,
      payload: { first_name: 'Ada', last_name: 'L', employment_type: 'CDI', phone: '+33 1 23 45 67 89' },
    });
    expect(created.statusCode).toBe(201);
    const cleared = await ctx.app.inject({
      method: 'PATCH',
      url: `${url}/${created.json().id}`,
      headers: org.admin.headers,
      payload: { phone: null },
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().phone).toBeNull();
    const coerced = await ctx.app.inject({
      method: 'PATCH',
      url: `${url}/${created.json().id}`,
      headers: org.admin.headers,
      payload: { active: 'false' },
    });
    expect(coerced.statusCode).toBe(400);
    expect(coerced.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ location: 'body', path: '/active' })],
    });
  });

  it('coerces query strings', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/members?limit=2`,
      headers: org.admin.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(2);
    const bad = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/members?limit=0`,
      headers: org.admin.headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ location: 'querystring', path: '/limit' })],
    });
  });

  it('refuses forged cursors on every list with a 400, never a database error', async () => {
    const org = await createOrgFixture(ctx.app);
    const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const lists = ['members', 'users', 'projects', 'missions', 'availability', 'audit', 'assignments'];
    for (const list of lists) {
      for (const key of [
        ['not-a-time', 'not-a-uuid'],
        ['x', 'y', 'z'],
        [1, 2],
        ['name', 'A', 'not-a-uuid'],
      ]) {
        const res = await ctx.app.inject({
          method: 'GET',
          url: `/api/v1/orgs/${org.orgId}/${list}?cursor=${forged(key)}`,
          headers: org.owner.headers,
        });
        expect(res.statusCode, `${list} ${JSON.stringify(key)}`).toBe(400);
        expect(res.json()).toMatchObject({ code: 'validation_failed' });
      }
    }
  });
});
