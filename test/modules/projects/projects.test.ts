import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type Member, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(DIALECTS)('projects on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const base = (org: OrgFixture) => `/api/v1/orgs/${org.orgId}/projects`;
  const create = (org: OrgFixture, payload: object, who: Member = org.manager) =>
    ctx.app.inject({ method: 'POST', url: base(org), headers: who.headers, payload });
  const newProject = async (org: OrgFixture, payload: object = {}) => {
    const res = await create(org, { name: `Show ${randomUUID().slice(0, 8)}`, ...payload });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; name: string; status: string };
  };
  const patch = (org: OrgFixture, id: string, payload: object, who: Member = org.manager) =>
    ctx.app.inject({ method: 'PATCH', url: `${base(org)}/${id}`, headers: who.headers, payload });
  const auditOf = (orgId: string, entityId: string) =>
    ctx.app.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('entity_id', '=', entityId)
      .orderBy('created_at')
      .execute();
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

  const withProject = async (org: OrgFixture) => `${base(org)}/${(await newProject(org)).id}`;
  securitySuite(ctx, {
    method: 'POST',
    url: base,
    minRole: 'manager',
    body: { name: 'Secured' },
  });
  securitySuite(ctx, { method: 'GET', url: base, minRole: 'tech' });
  securitySuite(ctx, { method: 'GET', url: withProject, minRole: 'tech' });
  securitySuite(ctx, { method: 'PATCH', url: withProject, minRole: 'manager', body: { name: 'Renamed' } });
  securitySuite(ctx, { method: 'DELETE', url: withProject, minRole: 'manager' });

  it('creates a project (trimmed name, normalised times) and audits it', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await create(org, {
      name: '  Festival 2026  ',
      description: 'Three stages',
      starts_at: '2026-07-01T10:00:00+02:00',
      ends_at: '2026-07-05T23:00:00Z',
    });
    expect(res.statusCode).toBe(201);
    const project = res.json();
    expect(project).toEqual({
      id: expect.any(String),
      org_id: org.orgId,
      name: 'Festival 2026',
      description: 'Three stages',
      status: 'DRAFT',
      starts_at: '2026-07-01T08:00:00.000Z',
      ends_at: '2026-07-05T23:00:00.000Z',
      created_at: expect.stringMatching(ISO_Z),
      updated_at: expect.stringMatching(ISO_Z),
    });

    const get = await ctx.app.inject({
      method: 'GET',
      url: `${base(org)}/${project.id}`,
      headers: org.tech.headers,
    });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(project);

    const audit = await auditOf(org.orgId, project.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'project.create',
      entity_type: 'project',
      actor_account_id: org.manager.accountId,
    });
    expect(json(audit[0]!.after)).toEqual(project);
  });

  it('rejects invalid bodies with 400 and errors[]', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const payload of [
      {},
      { name: '   ' },
      { name: 'x'.repeat(201) },
      { name: 'ok', extra: 1 },
      { name: 'ok', status: 'ARCHIVED' },
      { name: 'ok', starts_at: 'tomorrow' },
      { name: 'ok', description: 'x'.repeat(5001) },
    ]) {
      const res = await create(org, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: expect.any(Array) });
      expect(res.json().errors.length).toBeGreaterThan(0);
    }
    const res = await create(org, {
      name: 'Backwards',
      starts_at: '2026-07-05T00:00:00Z',
      ends_at: '2026-07-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ location: 'body', path: '/ends_at', message: 'must not be before starts_at' }],
    });
    const count = await ctx.app.database.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.orgId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('answers 409 name_taken for a duplicate name in the org, but allows it in another org', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    await newProject(org, { name: 'Tournée' });
    const dup = await create(org, { name: ' Tournée ' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ status: 409, code: 'name_taken' });
    expect((await create(other, { name: 'Tournée' })).statusCode).toBe(201);

    const second = await newProject(org, { name: 'Autre' });
    const rename = await patch(org, second.id, { name: 'Tournée' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json()).toMatchObject({ code: 'name_taken' });
  });

  it('updates fields, clears nullable ones and audits before/after', async () => {
    const org = await createOrgFixture(ctx.app);
    const project = await newProject(org, { description: 'old', starts_at: '2026-01-01T00:00:00Z' });
    const res = await patch(org, project.id, { name: 'New name', description: null, starts_at: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: project.id,
      name: 'New name',
      description: null,
      starts_at: null,
      status: 'DRAFT',
    });
    const audit = await auditOf(org.orgId, project.id);
    expect(audit.map((a) => a.action)).toEqual(['project.create', 'project.update']);
    expect(json(audit[1]!.before)).toMatchObject({ name: project.name, description: 'old' });
    expect(json(audit[1]!.after)).toMatchObject({ name: 'New name', description: null });

    const bad = await patch(org, project.id, {
      starts_at: '2026-02-01T00:00:00Z',
      ends_at: '2026-01-01T00:00:00Z',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/ends_at' }] });
    const empty = await patch(org, project.id, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('moves status forward only and keeps an archived project read-only', async () => {
    const org = await createOrgFixture(ctx.app);
    const project = await newProject(org);
    expect((await patch(org, project.id, { status: 'ACTIVE' })).json()).toMatchObject({ status: 'ACTIVE' });

    const back = await patch(org, project.id, { status: 'DRAFT' });
    expect(back.statusCode).toBe(409);
    expect(back.json()).toMatchObject({ code: 'invalid_transition' });

    expect((await patch(org, project.id, { status: 'ARCHIVED' })).json()).toMatchObject({
      status: 'ARCHIVED',
    });
    const rename = await patch(org, project.id, { name: 'Nope' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json()).toMatchObject({ code: 'project_archived' });
    const toDraft = await patch(org, project.id, { status: 'DRAFT' }, org.admin);
    expect(toDraft.statusCode).toBe(409);
    expect(toDraft.json()).toMatchObject({ code: 'invalid_transition' });
    const del = await ctx.app.inject({
      method: 'DELETE',
      url: `${base(org)}/${project.id}`,
      headers: org.owner.headers,
    });
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'project_archived' });

    const byManager = await patch(org, project.id, { status: 'ACTIVE' });
    expect(byManager.statusCode).toBe(403);
    expect(byManager.json()).toMatchObject({ code: 'forbidden' });

    const byAdmin = await patch(org, project.id, { status: 'ACTIVE', name: 'Revived' }, org.admin);
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json()).toMatchObject({ status: 'ACTIVE', name: 'Revived' });

    const draft = await newProject(org);
    const archived = await patch(org, draft.id, { status: 'ARCHIVED' });
    expect(archived.statusCode).toBe(200);
    expect(archived.json()).toMatchObject({ status: 'ARCHIVED' });
    const byOwner = await patch(org, draft.id, { status: 'ACTIVE' }, org.owner);
    expect(byOwner.statusCode).toBe(200);
    expect(byOwner.json()).toMatchObject({ status: 'ACTIVE' });

    const audit = await auditOf(org.orgId, project.id);
    expect(audit.map((a) => a.action)).toEqual([
      'project.create',
      'project.update',
      'project.update',
      'project.update',
    ]);
    expect(json(audit[3]!.after)).toMatchObject({ status: 'ACTIVE' });
    expect(audit[3]!.actor_account_id).toBe(org.admin.accountId);
  });

  it('answers 404 for another org’s project exactly like a random id', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const theirs = await newProject(other);
    const strip = (body: Record<string, unknown>) => {
      const { request_id: _, ...rest } = body;
      return rest;
    };
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const answers = [];
      for (const id of [theirs.id, randomUUID()]) {
        const res = await ctx.app.inject({
          method,
          url: `${base(org)}/${id}`,
          headers: org.owner.headers,
          ...(method === 'PATCH' ? { payload: { name: 'Mine now' } } : {}),
        });
        expect(res.statusCode).toBe(404);
        answers.push(strip(res.json()));
      }
      expect(answers[0]).toEqual({
        type: 'urn:coulisses-crew:problem:not_found',
        title: 'Not Found',
        status: 404,
        detail: 'Project not found',
        code: 'not_found',
      });
      expect(answers[1]).toEqual(answers[0]);
    }
    const malformed = await ctx.app.inject({
      method: 'GET',
      url: `${base(org)}/not-a-uuid`,
      headers: org.owner.headers,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'validation_failed', errors: [{ location: 'params' }] });
    expect(
      (
        await ctx.app.inject({
          method: 'GET',
          url: `${base(other)}/${theirs.id}`,
          headers: other.tech.headers,
        })
      ).statusCode,
    ).toBe(200);
  });

  it('lists with status and q filters and keyset pagination by name or creation', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    await newProject(other, { name: 'Alpha elsewhere' });
    const names = ['Delta', 'alpha', 'Charlie 100%', 'Bravo', 'Echo_1'];
    const created = [];
    for (const name of names) created.push(await newProject(org, { name }));
    await patch(org, created[3]!.id, { status: 'ACTIVE' });

    const list = (query: string) =>
      ctx.app.inject({ method: 'GET', url: `${base(org)}?${query}`, headers: org.tech.headers });

    const all = await list('');
    expect(all.statusCode).toBe(200);
    expect(all.json().next_cursor).toBeNull();
    expect(all.json().items).toHaveLength(5);
    expect(all.json().items.every((p: { org_id: string }) => p.org_id === org.orgId)).toBe(true);

    const active = await list('status=ACTIVE');
    expect(active.json()).toEqual({ items: [expect.objectContaining({ name: 'Bravo' })], next_cursor: null });
    expect((await list('q=ALPHA')).json().items.map((p: { name: string }) => p.name)).toEqual(['alpha']);
    expect((await list('q=100%25')).json().items.map((p: { name: string }) => p.name)).toEqual([
      'Charlie 100%',
    ]);
    expect((await list('q=o_')).json().items.map((p: { name: string }) => p.name)).toEqual(['Echo_1']);

    for (const sort of ['name', 'created_at']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        const body = res.json() as { items: { id: string }[]; next_cursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((p) => p.id));
        cursor = body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(5);
      const expected =
        sort === 'created_at'
          ? all
              .json()
              .items.slice()
              .sort((a: { created_at: string; id: string }, b: { created_at: string; id: string }) =>
                a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
              )
              .map((p: { id: string }) => p.id)
          : all.json().items.map((p: { id: string }) => p.id);
      expect(seen).toEqual(expected);
    }

    const first = await list('sort=name&limit=1');
    const wrongOrder = await list(`sort=created_at&cursor=${first.json().next_cursor}`);
    expect(wrongOrder.statusCode).toBe(400);
    expect(wrongOrder.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/cursor' }] });
    const garbage = await list('cursor=bm9wZQ');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ code: 'validation_failed' });
    const unknown = await list('colour=red');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('deletes a project with its missions, audits it, and refuses while assignments are accepted', async () => {
    const org = await createOrgFixture(ctx.app);
    const { db } = ctx.app.database;
    const project = await newProject(org);
    const mission = await ctx.app.inject({
      method: 'POST',
      url: `${base(org)}/${project.id}/missions`,
      headers: org.manager.headers,
      payload: {
        title: 'Load-in',
        starts_at: '2026-07-01T08:00:00Z',
        ends_at: '2026-07-01T12:00:00Z',
        roles: [{ name: 'Rigger', quota: 2 }],
      },
    });
    expect(mission.statusCode).toBe(201);
    const { id: missionId, roles } = mission.json();
    const now = new Date().toISOString();
    const userId = randomUUID();
    await db
      .insertInto('users')
      .values({
        id: userId,
        org_id: org.orgId,
        account_id: null,
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: null,
        phone: null,
        employment_type: 'INTERMITTENT',
        notes: null,
        active: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const assignmentId = randomUUID();
    await db
      .insertInto('assignments')
      .values({
        id: assignmentId,
        org_id: org.orgId,
        mission_id: missionId,
        role_id: roles[0].id,
        user_id: userId,
        status: 'ACCEPTED',
        note: null,
        reason: null,
        invited_by: null,
        responded_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();

    const del = () =>
      ctx.app.inject({ method: 'DELETE', url: `${base(org)}/${project.id}`, headers: org.manager.headers });
    const refused = await del();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'in_use' });

    await db.updateTable('assignments').set({ status: 'CANCELLED' }).where('id', '=', assignmentId).execute();
    const res = await del();
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await db.selectFrom('missions').select('id').where('id', '=', missionId).execute()).toEqual([]);
    expect(await db.selectFrom('assignments').select('id').where('id', '=', assignmentId).execute()).toEqual(
      [],
    );
    const audit = await auditOf(org.orgId, project.id);
    expect(audit.map((a) => a.action)).toEqual(['project.create', 'project.delete']);
    expect(json(audit[1]!.before)).toMatchObject({ id: project.id, name: project.name });

    const gone = await ctx.app.inject({
      method: 'GET',
      url: `${base(org)}/${project.id}`,
      headers: org.manager.headers,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'not_found' });
  });
});
