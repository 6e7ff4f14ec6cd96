import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../helpers/factories.js';

/**
 * Input the database cannot hold is refused with a 400 naming the field, for every route at once (the
 * validation layer), and instants are stored in one canonical form so that SQL compares them correctly.
 */
describe.each(DIALECTS)('input the database cannot hold on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  const createProject = (org: OrgFixture, payload: Record<string, unknown>) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/projects`,
      headers: org.manager.headers,
      payload: { name: `Project ${crypto.randomUUID().slice(0, 8)}`, ...payload },
    });

  it('refuses a NUL character or a lone surrogate in any text, key or query, naming the field', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const [text, reason] of [
      ['Fest\u0000ival', /NUL character/],
      ['Fest\uD800ival', /lone UTF-16 surrogate/],
      ['Festival\uDC00', /lone UTF-16 surrogate/],
    ] as const) {
      const res = await createProject(org, { description: text });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ location: 'body', path: '/description', message: expect.stringMatching(reason) }],
      });
    }
    // a surrogate pair (an emoji) is fine
    const emoji = await createProject(org, { description: 'Festival 🎪' });
    expect(emoji.statusCode).toBe(201);
    expect(emoji.json().description).toBe('Festival 🎪');

    const key = await createProject(org, { 'na\u0000me': 'x' });
    expect(key.statusCode).toBe(400);
    expect(key.json().errors).toEqual([
      expect.objectContaining({
        path: '/na\u0000me',
        message: expect.stringMatching(/^name contains a NUL/),
      }),
    ]);

    const query = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/users?q=a%00b`,
      headers: org.manager.headers,
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors).toEqual([
      expect.objectContaining({ location: 'querystring', path: '/q', message: expect.stringMatching(/NUL/) }),
    ]);
  });

  it('walks a deeply nested body without overflowing (100,000 levels parse fine): 400, not 500', async () => {
    const org = await createOrgFixture(ctx.app);
    const deep = '['.repeat(100_000) + '"\\u0000"' + ']'.repeat(100_000);
    for (const payload of [`{"name":"Deep","description":${deep}}`, deep]) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/projects`,
        headers: { ...org.manager.headers, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'validation_failed',
        errors: [expect.objectContaining({ message: expect.stringMatching(/NUL character/) })],
      });
    }
  });

  it('refuses dates that do not exist, leap seconds and years out of range once the offset is applied', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const starts_at of [
      '2027-02-30T10:00:00Z',
      '2026-12-31T23:59:60Z',
      '9999-12-31T23:00:00-14:00',
      '1899-12-31T23:59:59Z',
      '2026-13-01T00:00:00Z',
      '2026-06-01T24:00:00Z',
    ]) {
      const res = await createProject(org, { starts_at });
      expect(res.statusCode, starts_at).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'validation_failed',
        errors: [
          {
            location: 'body',
            path: '/starts_at',
            message: expect.stringMatching(/existing RFC 3339 date-time.*1900-01-01T00:00:00.000Z and 9999/),
          },
        ],
      });
    }
    const bulk = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/missions?from=2026-02-29T00:00:00Z`,
      headers: org.manager.headers,
    });
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json().errors[0]).toMatchObject({ location: 'querystring', path: '/from' });
    // the edges of the range are accepted
    const edge = await createProject(org, {
      starts_at: '1900-01-01T00:00:00Z',
      ends_at: '9999-12-31T23:59:59.999Z',
    });
    expect(edge.statusCode).toBe(201);
  });

  it('stores every instant in canonical UTC form, so an end before its start is refused', async () => {
    const org = await createOrgFixture(ctx.app);
    const created = await createProject(org, {
      starts_at: '2026-07-01T10:00:00+02:00',
      ends_at: '2026-07-01t12:30:00.5-00:30',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      starts_at: '2026-07-01T08:00:00.000Z',
      ends_at: '2026-07-01T13:00:00.500Z',
    });
    // as text, "…T11:00:00+05:00" sorts after "…T10:00:00Z"; as instants it is four hours before
    const backwards = await createProject(org, {
      starts_at: '2026-07-01T10:00:00Z',
      ends_at: '2026-07-01T11:00:00+05:00',
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ path: '/ends_at' })],
    });
    const mission = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/projects/${created.json().id}/missions`,
      headers: org.manager.headers,
      payload: {
        title: 'Load-in',
        starts_at: '2026-07-01T10:00:00Z',
        ends_at: '2026-07-01T11:00:00+05:00',
        roles: [{ name: 'Rigger', quota: 1 }],
      },
    });
    expect(mission.statusCode).toBe(400);
    expect(mission.json().code).toBe('validation_failed');
  });

  it('a far date can no longer be stored and break the org’s project list', async () => {
    const org = await createOrgFixture(ctx.app);
    const far = await createProject(org, { ends_at: '9999-12-31T23:00:00-14:00' });
    expect(far.statusCode).toBe(400);
    const latest = await createProject(org, { ends_at: '9999-12-31T23:59:59Z' });
    expect(latest.statusCode).toBe(201);
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/projects`,
      headers: org.manager.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({ id: latest.json().id, ends_at: '9999-12-31T23:59:59.000Z' }),
    ]);
  });

  it('refuses a calendar date that does not exist or is out of range', async () => {
    const org = await createOrgFixture(ctx.app);
    const project = (await createProject(org, {})).json();
    for (const date of ['2027-02-30', '0000-01-01', '2026-00-10']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/projects/${project.id}/missions/bulk`,
        headers: org.manager.headers,
        payload: {
          template: {
            title: 'Show',
            start_time: '18:00',
            end_time: '23:00',
            roles: [{ name: 'Rigger', quota: 1 }],
          },
          dates: [date],
        },
      });
      expect(res.statusCode, date).toBe(400);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: '/dates/0', message: expect.stringMatching(/existing date/) }),
        ]),
      );
    }
  });
});
