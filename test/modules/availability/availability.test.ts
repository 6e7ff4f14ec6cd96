import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asJson } from '../../../src/platform/db/database.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type Member, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { auditRows, insertUser } from './helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(DIALECTS)('availability on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const base = (org: OrgFixture | string) =>
    `/api/v1/orgs/${typeof org === 'string' ? org : org.orgId}/availability`;

  securitySuite(ctx, { method: 'POST', url: base, minRole: 'tech', body: {} });
  securitySuite(ctx, { method: 'GET', url: base, minRole: 'tech' });
  securitySuite(ctx, { method: 'DELETE', url: (org) => `${base(org)}/${randomUUID()}`, minRole: 'tech' });

  /** An org whose tech is linked to a crew member, plus a second, unlinked crew member. */
  async function setup() {
    const org = await createOrgFixture(ctx.app);
    const techUser = await insertUser(ctx.app, org.orgId, { accountId: org.tech.accountId });
    const otherUser = await insertUser(ctx.app, org.orgId, { firstName: 'Sacha' });
    return { org, techUser, otherUser };
  }

  const create = (org: OrgFixture, who: Member, payload: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url: base(org), headers: who.headers, payload });
  const list = (org: OrgFixture, who: Member, query: Record<string, string | number> = {}) =>
    ctx.app.inject({ method: 'GET', url: base(org), headers: who.headers, query: stringify(query) });
  const remove = (org: OrgFixture, who: Member, id: string) =>
    ctx.app.inject({ method: 'DELETE', url: `${base(org)}/${id}`, headers: who.headers });
  const stringify = (q: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)]));

  const slot = (userId: string, day: number, extra: Record<string, unknown> = {}) => ({
    user_id: userId,
    starts_at: `2026-06-${String(day).padStart(2, '0')}T08:00:00.000Z`,
    ends_at: `2026-06-${String(day).padStart(2, '0')}T18:00:00.000Z`,
    kind: 'UNAVAILABLE',
    ...extra,
  });

  describe('POST /availability', () => {
    it('lets a manager declare for any crew member, and audits it in the same transaction', async () => {
      const { org, otherUser } = await setup();
      const res = await create(org, org.manager, slot(otherUser, 1, { note: 'Tournée' }));
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.stringMatching(UUID),
        org_id: org.orgId,
        user_id: otherUser,
        starts_at: '2026-06-01T08:00:00.000Z',
        ends_at: '2026-06-01T18:00:00.000Z',
        kind: 'UNAVAILABLE',
        note: 'Tournée',
        created_at: expect.stringMatching(ISO),
      });

      const rows = await auditRows(ctx.app, org.orgId, body.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'availability.create',
        entity_type: 'availability',
        actor_account_id: org.manager.accountId,
        request_id: res.headers['x-request-id'],
      });
      expect(asJson(rows[0]!.before)).toBeNull();
      expect(asJson(rows[0]!.after)).toEqual(body);
    });

    it('lets a tech declare for their own crew member, normalising times to UTC', async () => {
      const { org, techUser } = await setup();
      const res = await create(org, org.tech, {
        user_id: techUser,
        starts_at: '2026-06-01T20:00:00+02:00',
        ends_at: '2026-06-02T01:30:00+02:00',
        kind: 'AVAILABLE',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        user_id: techUser,
        starts_at: '2026-06-01T18:00:00.000Z',
        ends_at: '2026-06-01T23:30:00.000Z',
        kind: 'AVAILABLE',
        note: null,
      });
      const rows = await auditRows(ctx.app, org.orgId, res.json().id);
      expect(rows.map((r) => [r.action, r.actor_account_id])).toEqual([
        ['availability.create', org.tech.accountId],
      ]);
    });

    it('refuses a tech declaring for anyone else (403), existing or not, and writes nothing', async () => {
      const { org, otherUser } = await setup();
      for (const userId of [otherUser, randomUUID()]) {
        const res = await create(org, org.tech, slot(userId, 1));
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({
          status: 403,
          code: 'forbidden',
          detail: 'A tech may only declare their own availability',
        });
      }
      const count = await ctx.app.database.db
        .selectFrom('availability')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', org.orgId)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('refuses a tech whose account is linked to no crew member (403)', async () => {
      const org = await createOrgFixture(ctx.app);
      const someone = await insertUser(ctx.app, org.orgId);
      const res = await create(org, org.tech, slot(someone, 1));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'forbidden' });
    });

    it('answers 404 "User not found" for an unknown user and for another org’s user alike', async () => {
      const { org } = await setup();
      const other = await setup();
      const bodies = [];
      for (const userId of [randomUUID(), other.otherUser]) {
        const res = await create(org, org.admin, slot(userId, 1));
        expect(res.statusCode).toBe(404);
        const { request_id: _, ...problem } = res.json();
        bodies.push(problem);
      }
      expect(bodies[0]).toEqual({
        type: 'urn:coulisses-crew:problem:not_found',
        title: 'Not Found',
        status: 404,
        detail: 'User not found',
        code: 'not_found',
      });
      expect(bodies[1]).toEqual(bodies[0]);
    });

    it('rejects an end that is not after the start (400)', async () => {
      const { org, otherUser } = await setup();
      for (const ends_at of ['2026-06-01T08:00:00.000Z', '2026-06-01T07:59:59.999Z']) {
        const res = await create(org, org.manager, slot(otherUser, 1, { ends_at }));
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          code: 'validation_failed',
          errors: [{ location: 'body', path: '/ends_at', message: 'must be after starts_at' }],
        });
      }
    });

    it.each([
      ['a date that is not a date-time', { starts_at: '2026-06-01' }, '/starts_at'],
      ['a date that is not a date at all', { ends_at: 'tomorrow' }, '/ends_at'],
      ['an unknown kind', { kind: 'MAYBE' }, '/kind'],
      ['a malformed user_id', { user_id: 'not-a-uuid' }, '/user_id'],
      ['an over-long note', { note: 'x'.repeat(2001) }, '/note'],
    ])('rejects %s (400)', async (_label, patch, path) => {
      const { org, otherUser } = await setup();
      const res = await create(org, org.manager, slot(otherUser, 1, patch));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
      expect(res.json().errors).toContainEqual(expect.objectContaining({ location: 'body', path }));
    });

    it('rejects unknown fields and missing required ones (400)', async () => {
      const { org, otherUser } = await setup();
      const unknown = await create(org, org.manager, slot(otherUser, 1, { org_id: org.orgId }));
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ location: 'body', path: '/', message: 'unknown field "org_id"' }],
      });
      const { kind: _, ...withoutKind } = slot(otherUser, 1);
      const missing = await create(org, org.manager, withoutKind);
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ location: 'body', path: '/', message: '"kind" is required' }],
      });
    });
  });

  describe('GET /availability', () => {
    async function seeded() {
      const fixture = await setup();
      const { org, techUser, otherUser } = fixture;
      const ids: Record<string, string> = {};
      for (const [name, userId, day] of [
        ['t3', techUser, 3],
        ['o1', otherUser, 1],
        ['t1', techUser, 1],
        ['o5', otherUser, 5],
        ['t7', techUser, 7],
      ] as const) {
        const res = await create(org, org.manager, slot(userId, day));
        expect(res.statusCode).toBe(201);
        ids[name] = res.json().id;
      }
      return { ...fixture, ids };
    }
    const idsOf = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((i) => i.id);

    it('lists the org’s entries ordered by starts_at then id, for a manager', async () => {
      const { org, ids } = await seeded();
      const res = await list(org, org.manager);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.next_cursor).toBeNull();
      expect(body.items).toHaveLength(5);
      const [first, second] = [ids.o1!, ids.t1!].sort();
      expect(idsOf(res)).toEqual([first, second, ids.t3, ids.o5, ids.t7]);
      expect(body.items[2]).toEqual({
        id: ids.t3,
        org_id: org.orgId,
        user_id: expect.stringMatching(UUID),
        starts_at: '2026-06-03T08:00:00.000Z',
        ends_at: '2026-06-03T18:00:00.000Z',
        kind: 'UNAVAILABLE',
        note: null,
        created_at: expect.stringMatching(ISO),
      });
    });

    it('filters by user_id and by the overlapping [from, to) window', async () => {
      const { org, ids, otherUser } = await seeded();
      const byUser = await list(org, org.manager, { user_id: otherUser });
      expect(byUser.statusCode).toBe(200);
      expect(byUser.json()).toEqual({ items: expect.any(Array), next_cursor: null });
      expect(idsOf(byUser)).toEqual([ids.o1, ids.o5]);

      // overlaps day 3 partially at both ends, and day 5 by its start; day 1 ends exactly at `from`
      const window = await list(org, org.manager, {
        from: '2026-06-01T18:00:00.000Z',
        to: '2026-06-05T08:00:00.001Z',
      });
      expect(window.statusCode).toBe(200);
      expect(idsOf(window)).toEqual([ids.t3, ids.o5]);

      const combined = await list(org, org.manager, {
        user_id: otherUser,
        from: '2026-06-03T12:00:00+02:00',
      });
      expect(idsOf(combined)).toEqual([ids.o5]);
    });

    it('paginates with limit and cursor until next_cursor is null', async () => {
      const { org, ids } = await seeded();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(org, org.manager, { limit: 2, ...(cursor ? { cursor } : {}) });
        expect(res.statusCode).toBe(200);
        expect(res.json().items.length).toBeLessThanOrEqual(2);
        seen.push(...idsOf(res));
        cursor = res.json().next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      const [first, second] = [ids.o1!, ids.t1!].sort();
      expect(seen).toEqual([first, second, ids.t3, ids.o5, ids.t7]);
    });

    it('forces a tech to their own entries; another user_id is a 403', async () => {
      const { org, ids, techUser, otherUser } = await seeded();
      const own = await list(org, org.tech);
      expect(own.statusCode).toBe(200);
      expect(own.json().next_cursor).toBeNull();
      expect(idsOf(own)).toEqual([ids.t1, ids.t3, ids.t7]);

      const explicit = await list(org, org.tech, { user_id: techUser, from: '2026-06-02T00:00:00Z' });
      expect(explicit.statusCode).toBe(200);
      expect(idsOf(explicit)).toEqual([ids.t3, ids.t7]);

      const other = await list(org, org.tech, { user_id: otherUser });
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({
        code: 'forbidden',
        detail: 'A tech may only list their own availability',
      });
    });

    it('gives a tech linked to no crew member an empty page', async () => {
      const org = await createOrgFixture(ctx.app);
      const someone = await insertUser(ctx.app, org.orgId);
      expect((await create(org, org.manager, slot(someone, 1))).statusCode).toBe(201);
      const res = await list(org, org.tech);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [], next_cursor: null });
    });

    it('never shows another org’s entries', async () => {
      const { org } = await seeded();
      const other = await seeded();
      const res = await list(other.org, other.org.owner, { user_id: other.otherUser });
      expect(idsOf(res)).toEqual([other.ids.o1, other.ids.o5]);
      const cross = await list(org, org.manager, { user_id: other.otherUser });
      expect(cross.statusCode).toBe(200);
      expect(cross.json()).toEqual({ items: [], next_cursor: null });
      const all = await list(org, org.manager);
      expect(all.json().items.every((i: { org_id: string }) => i.org_id === org.orgId)).toBe(true);
    });

    it.each([
      [
        'a window whose end is not after its start',
        { from: '2026-06-02T00:00:00Z', to: '2026-06-02T00:00:00Z' },
        '/to',
      ],
      ['a malformed from', { from: 'yesterday' }, '/from'],
      ['a malformed user_id', { user_id: '42' }, '/user_id'],
      ['a limit above 100', { limit: 101 }, '/limit'],
      ['a forged cursor', { cursor: 'bm90LWEtY3Vyc29y' }, '/cursor'],
      ['an unknown parameter', { kind: 'AVAILABLE' }, '/'],
    ])('rejects %s (400)', async (_label, query, path) => {
      const { org } = await setup();
      const res = await list(org, org.manager, query);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
      expect(res.json().errors).toContainEqual(expect.objectContaining({ location: 'querystring', path }));
    });
  });

  describe('DELETE /availability/:availability_id', () => {
    it('lets a manager remove anyone’s entry, audited with the entry as before', async () => {
      const { org, techUser } = await setup();
      const created = (await create(org, org.tech, slot(techUser, 1))).json();
      const res = await remove(org, org.manager, created.id);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');

      const rows = await auditRows(ctx.app, org.orgId, created.id);
      expect(rows.map((r) => r.action)).toEqual(['availability.create', 'availability.delete']);
      const deletion = rows[1]!;
      expect(deletion).toMatchObject({
        entity_type: 'availability',
        actor_account_id: org.manager.accountId,
        request_id: res.headers['x-request-id'],
      });
      expect(asJson(deletion.before)).toEqual(created);
      expect(asJson(deletion.after)).toBeNull();

      const again = await remove(org, org.manager, created.id);
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ code: 'not_found', detail: 'Availability not found' });
      expect((await list(org, org.manager)).json()).toEqual({ items: [], next_cursor: null });
    });

    it('lets a tech remove their own entry', async () => {
      const { org, techUser } = await setup();
      const created = (await create(org, org.manager, slot(techUser, 1))).json();
      const res = await remove(org, org.tech, created.id);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const rows = await auditRows(ctx.app, org.orgId, created.id);
      expect(rows.map((r) => [r.action, r.actor_account_id])).toEqual([
        ['availability.create', org.manager.accountId],
        ['availability.delete', org.tech.accountId],
      ]);
    });

    it('answers a tech 404 for someone else’s entry, and keeps it', async () => {
      const { org, otherUser } = await setup();
      const created = (await create(org, org.manager, slot(otherUser, 1))).json();
      const res = await remove(org, org.tech, created.id);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ status: 404, code: 'not_found', detail: 'Availability not found' });
      const still = await list(org, org.manager);
      expect(still.json().items).toEqual([created]);
      const rows = await auditRows(ctx.app, org.orgId, created.id);
      expect(rows.map((r) => r.action)).toEqual(['availability.create']);
    });

    it('answers another org’s entry exactly like a random id (404)', async () => {
      const { org } = await setup();
      const other = await setup();
      const foreign = (await create(other.org, other.org.manager, slot(other.otherUser, 1))).json();
      const bodies = [];
      for (const id of [foreign.id, randomUUID()]) {
        const res = await remove(org, org.owner, id);
        expect(res.statusCode).toBe(404);
        const { request_id: _, ...problem } = res.json();
        bodies.push(problem);
      }
      expect(bodies[0]).toEqual({
        type: 'urn:coulisses-crew:problem:not_found',
        title: 'Not Found',
        status: 404,
        detail: 'Availability not found',
        code: 'not_found',
      });
      expect(bodies[1]).toEqual(bodies[0]);
      const kept = await list(other.org, other.org.manager);
      expect(kept.json().items).toEqual([foreign]);
    });

    it('rejects a malformed id (400)', async () => {
      const { org } = await setup();
      const res = await remove(org, org.manager, 'not-a-uuid');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'validation_failed',
        errors: [expect.objectContaining({ location: 'params', path: '/availability_id' })],
      });
    });
  });
});
