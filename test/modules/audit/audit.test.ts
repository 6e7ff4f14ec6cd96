import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../../src/platform/db/database.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type Member, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { insertUser } from '../availability/helpers.js';

interface Seed {
  action: string;
  entityType: string;
  entityId: string | null;
  actor: string | null;
  at: string;
  before?: unknown;
  after?: unknown;
}

/** Audit rows at chosen times, written as `recordAudit` writes them. */
async function insertAudit(app: FastifyInstance, orgId: string | null, seed: Seed, id = randomUUID()) {
  await app.database.db
    .insertInto('audit_log')
    .values({
      id,
      org_id: orgId,
      actor_account_id: seed.actor,
      action: seed.action,
      entity_type: seed.entityType,
      entity_id: seed.entityId,
      before: toJson(seed.before),
      after: toJson(seed.after),
      request_id: `req-${id.slice(0, 8)}`,
      created_at: seed.at,
    })
    .execute();
  return id;
}

describe.each(DIALECTS)('audit log on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const url = (org: OrgFixture) => `/api/v1/orgs/${org.orgId}/audit`;

  securitySuite(ctx, { method: 'GET', url, minRole: 'admin' });

  const get = (org: OrgFixture, who: Member, query: Record<string, string | number> = {}) =>
    ctx.app.inject({
      method: 'GET',
      url: url(org),
      headers: who.headers,
      query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
    });
  const idsOf = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((i) => i.id);

  /** Five rows of the org at known times (two share a timestamp), plus rows elsewhere that must never show. */
  async function seeded() {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const mission = randomUUID();
    const project = randomUUID();
    const a = await insertAudit(ctx.app, org.orgId, {
      action: 'project.create',
      entityType: 'project',
      entityId: project,
      actor: org.owner.accountId,
      at: '2026-03-01T10:00:00.000Z',
      after: { name: 'Festival', status: 'DRAFT' },
    });
    const b = await insertAudit(ctx.app, org.orgId, {
      action: 'mission.create',
      entityType: 'mission',
      entityId: mission,
      actor: org.manager.accountId,
      at: '2026-03-02T10:00:00.000Z',
      after: { title: 'Montage' },
    });
    const tied = [randomUUID(), randomUUID()].sort();
    for (const id of tied) {
      await insertAudit(
        ctx.app,
        org.orgId,
        {
          action: 'mission.update',
          entityType: 'mission',
          entityId: mission,
          actor: org.manager.accountId,
          at: '2026-03-03T10:00:00.000Z',
          before: { title: 'Montage' },
          after: { title: 'Montage scène' },
        },
        id,
      );
    }
    const e = await insertAudit(ctx.app, org.orgId, {
      action: 'project.update',
      entityType: 'project',
      entityId: project,
      actor: null,
      at: '2026-03-04T10:00:00.000Z',
      before: { status: 'DRAFT' },
      after: { status: 'ACTIVE' },
    });
    // another org's row on the same entity id, and a row of no org at all
    await insertAudit(ctx.app, other.orgId, {
      action: 'project.update',
      entityType: 'project',
      entityId: project,
      actor: other.owner.accountId,
      at: '2026-03-03T12:00:00.000Z',
    });
    await insertAudit(ctx.app, null, {
      action: 'account.create',
      entityType: 'account',
      entityId: org.admin.accountId,
      actor: null,
      at: '2026-03-03T13:00:00.000Z',
    });
    // newest first; equal times by id descending
    const newestFirst = [e, tied[1]!, tied[0]!, b, a];
    return { org, other, mission, project, ids: { a, b, e, tied }, newestFirst };
  }

  it('lists the org’s rows newest first, with before/after as JSON', async () => {
    const { org, project, ids, newestFirst } = await seeded();
    const res = await get(org, org.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().next_cursor).toBeNull();
    expect(idsOf(res)).toEqual(newestFirst);
    expect(res.json().items[0]).toEqual({
      id: ids.e,
      org_id: org.orgId,
      actor_account_id: null,
      action: 'project.update',
      entity_type: 'project',
      entity_id: project,
      before: { status: 'DRAFT' },
      after: { status: 'ACTIVE' },
      request_id: `req-${ids.e.slice(0, 8)}`,
      created_at: '2026-03-04T10:00:00.000Z',
    });
    expect(res.json().items[4]).toMatchObject({
      id: ids.a,
      actor_account_id: org.owner.accountId,
      before: null,
      after: { name: 'Festival', status: 'DRAFT' },
    });
    const owner = await get(org, org.owner);
    expect(owner.statusCode).toBe(200);
    expect(idsOf(owner)).toEqual(newestFirst);
  });

  it('filters by entity_type, entity_id, actor and the [from, to) range', async () => {
    const { org, mission, project, ids } = await seeded();
    const byType = await get(org, org.admin, { entity_type: 'project' });
    expect(byType.statusCode).toBe(200);
    expect(idsOf(byType)).toEqual([ids.e, ids.a]);

    const byEntity = await get(org, org.admin, { entity_id: mission });
    expect(idsOf(byEntity)).toEqual([ids.tied[1], ids.tied[0], ids.b]);

    const byTypeAndEntity = await get(org, org.admin, { entity_type: 'mission', entity_id: project });
    expect(byTypeAndEntity.json()).toEqual({ items: [], next_cursor: null });

    const byActor = await get(org, org.admin, { actor: org.owner.accountId });
    expect(idsOf(byActor)).toEqual([ids.a]);

    // from is inclusive, to exclusive; offsets are read as the instant they denote
    const range = await get(org, org.admin, {
      from: '2026-03-02T10:00:00.000Z',
      to: '2026-03-04T11:00:00+01:00',
    });
    expect(range.statusCode).toBe(200);
    expect(idsOf(range)).toEqual([ids.tied[1], ids.tied[0], ids.b]);

    const all = await get(org, org.admin, { actor: org.manager.accountId, from: '2026-03-03T00:00:00Z' });
    expect(idsOf(all)).toEqual([ids.tied[1], ids.tied[0]]);
  });

  it('paginates newest first with limit and cursor, ties included', async () => {
    const { org, newestFirst } = await seeded();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(org, org.admin, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...idsOf(res));
      cursor = res.json().next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const first = await get(org, org.admin, { limit: 3, entity_type: 'mission' });
    expect(idsOf(first)).toHaveLength(3);
    expect(first.json().next_cursor).toBeNull();
  });

  it('never shows another org’s rows, nor rows of no org', async () => {
    const { org, other, project, ids } = await seeded();
    const mine = await get(org, org.admin, { entity_id: project });
    expect(idsOf(mine)).toEqual([ids.e, ids.a]);
    const all = await get(org, org.admin);
    expect(all.json().items.every((i: { org_id: string }) => i.org_id === org.orgId)).toBe(true);
    expect(all.json().items.some((i: { action: string }) => i.action === 'account.create')).toBe(false);
    const byForeignActor = await get(org, org.admin, { actor: other.owner.accountId });
    expect(byForeignActor.statusCode).toBe(200);
    expect(byForeignActor.json()).toEqual({ items: [], next_cursor: null });

    const theirs = await get(other, other.admin);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items).toHaveLength(1);
    expect(theirs.json().items[0]).toMatchObject({ org_id: other.orgId, entity_id: project });
  });

  it('shows the rows written by availability changes, with request ids', async () => {
    const org = await createOrgFixture(ctx.app);
    const userId = await insertUser(ctx.app, org.orgId, { accountId: org.tech.accountId });
    const created = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/availability`,
      headers: { ...org.tech.headers, 'x-request-id': 'req-create-1' },
      payload: {
        user_id: userId,
        starts_at: '2026-06-01T08:00:00Z',
        ends_at: '2026-06-01T18:00:00Z',
        kind: 'AVAILABLE',
      },
    });
    expect(created.statusCode).toBe(201);
    const entry = created.json();
    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.orgId}/availability/${entry.id}`,
      headers: { ...org.manager.headers, 'x-request-id': 'req-delete-1' },
    });
    expect(removed.statusCode).toBe(204);

    const res = await get(org, org.admin, { entity_type: 'availability', entity_id: entry.id });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((i: { action: string }) => i.action).sort()).toEqual([
      'availability.create',
      'availability.delete',
    ]);
    const byAction = Object.fromEntries(items.map((i: { action: string }) => [i.action, i]));
    expect(byAction['availability.create']).toEqual({
      id: expect.any(String),
      org_id: org.orgId,
      actor_account_id: org.tech.accountId,
      action: 'availability.create',
      entity_type: 'availability',
      entity_id: entry.id,
      before: null,
      after: entry,
      request_id: 'req-create-1',
      created_at: expect.stringMatching(/Z$/),
    });
    expect(byAction['availability.delete']).toMatchObject({
      actor_account_id: org.manager.accountId,
      before: entry,
      after: null,
      request_id: 'req-delete-1',
    });
  });

  it.each([
    ['a malformed actor', { actor: 'someone' }, '/actor'],
    ['a malformed from', { from: '2026-03-01' }, '/from'],
    [
      'a range whose end is not after its start',
      { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' },
      '/to',
    ],
    ['a limit of 0', { limit: 0 }, '/limit'],
    ['a forged cursor', { cursor: 'W10' }, '/cursor'],
    ['an unknown parameter', { action: 'mission.create' }, '/'],
  ])('rejects %s (400)', async (_label, query, path) => {
    const org = await createOrgFixture(ctx.app);
    const res = await get(org, org.admin, query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(res.json().errors).toContainEqual(expect.objectContaining({ location: 'querystring', path }));
  });

  it('offers no way to change or remove a row, and the database refuses it too', async () => {
    const { org, ids } = await seeded();
    // The list answers only GET (405 names what it allows); a single row has no route at all (404).
    for (const [method, suffix, status, code] of [
      ['DELETE', '', 405, 'method_not_allowed'],
      ['DELETE', `/${ids.a}`, 404, 'not_found'],
      ['PATCH', `/${ids.a}`, 404, 'not_found'],
      ['PUT', `/${ids.a}`, 404, 'not_found'],
      ['POST', '', 405, 'method_not_allowed'],
    ] as const) {
      const res = await ctx.app.inject({
        method,
        url: `${url(org)}${suffix}`,
        headers: org.owner.headers,
        payload: {},
      });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ code });
      if (status === 405) expect(res.headers.allow).toMatch(/GET/);
    }
    const { db } = ctx.app.database;
    await expect(
      db.updateTable('audit_log').set({ action: 'forged' }).where('id', '=', ids.a).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('id', '=', ids.a).execute()).rejects.toThrow(/append-only/);
    const res = await get(org, org.admin, { entity_type: 'project' });
    expect(res.json().items.at(-1)).toMatchObject({ id: ids.a, action: 'project.create' });
  });
});
