import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createAccount, createOrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { auditRowsOf, createUser, expectProblem, ISO, userUrl, usersUrl, UUID } from './helpers.js';

describe.each(DIALECTS)('crew roster (create, read, update) on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  securitySuite(ctx, {
    method: 'POST',
    url: usersUrl,
    minRole: 'admin',
    body: { first_name: 'A', last_name: 'B', employment_type: 'CDI' },
  });
  securitySuite(ctx, {
    method: 'GET',
    url: async (org) => userUrl(org, (await createUser(ctx.app, org)).id),
    minRole: 'tech',
  });
  securitySuite(ctx, {
    method: 'PATCH',
    url: async (org) => userUrl(org, (await createUser(ctx.app, org)).id),
    minRole: 'admin',
    body: { active: false },
  });

  describe('POST /users', () => {
    it('creates a user with normalised skills, tags and email, and audits it', async () => {
      const org = await createOrgFixture(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: usersUrl(org),
        headers: org.admin.headers,
        payload: {
          first_name: '  Léa ',
          last_name: ' Martin',
          email: 'Lea.Martin@Example.COM',
          phone: '+33 6 12 34 56 78',
          employment_type: 'INTERMITTENT',
          skills: [
            { name: ' Son ', level: 4 },
            { name: 'LUMIÈRE', level: 2 },
          ],
          tags: ['Permis-B', 'cariste', 'permis-b ', 'Cariste'],
          notes: 'Disponible en tournée',
        },
      });
      expect(res.statusCode).toBe(201);
      const user = res.json();
      expect(user).toEqual({
        id: expect.stringMatching(UUID),
        org_id: org.orgId,
        first_name: 'Léa',
        last_name: 'Martin',
        email: 'lea.martin@example.com',
        phone: '+33 6 12 34 56 78',
        employment_type: 'INTERMITTENT',
        skills: [
          { name: 'lumière', level: 2 },
          { name: 'son', level: 4 },
        ],
        tags: ['cariste', 'permis-b'],
        notes: 'Disponible en tournée',
        account_id: null,
        active: true,
        created_at: expect.stringMatching(ISO),
        updated_at: user.created_at,
      });

      const read = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, user.id),
        headers: org.manager.headers,
      });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(user);

      const audit = await auditRowsOf(ctx.app, org.orgId, user.id);
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'user.create',
          entity_type: 'user',
          entity_id: user.id,
          actor_account_id: org.admin.accountId,
          before: null,
          after: user,
          request_id: res.headers['x-request-id'],
        }),
      ]);
    });

    it('fills nulls, empty sets and active=true for the optional fields', async () => {
      const org = await createOrgFixture(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: usersUrl(org),
        headers: org.owner.headers,
        payload: { first_name: 'Hugo', last_name: 'Bernard', employment_type: 'CDI' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        first_name: 'Hugo',
        last_name: 'Bernard',
        email: null,
        phone: null,
        employment_type: 'CDI',
        skills: [],
        tags: [],
        notes: null,
        account_id: null,
        active: true,
      });
    });

    it.each([
      [
        'an unknown field',
        { first_name: 'A', last_name: 'B', employment_type: 'CDI', salary: 1 },
        '/',
        'unknown field "salary"',
      ],
      [
        'a skill level out of 1–5',
        { first_name: 'A', last_name: 'B', employment_type: 'CDI', skills: [{ name: 'son', level: 6 }] },
        '/skills/0/level',
        expect.any(String),
      ],
      [
        'an unknown employment type',
        { first_name: 'A', last_name: 'B', employment_type: 'STAGIAIRE' },
        '/employment_type',
        expect.any(String),
      ],
      [
        'a missing required field',
        { first_name: 'A', employment_type: 'CDI' },
        '/',
        '"last_name" is required',
      ],
      [
        'a blank name',
        { first_name: '   ', last_name: 'B', employment_type: 'CDI' },
        '/first_name',
        expect.any(String),
      ],
      [
        'a name over 100 characters',
        { first_name: 'A'.repeat(101), last_name: 'B', employment_type: 'CDI' },
        '/first_name',
        expect.any(String),
      ],
      [
        'a malformed email',
        { first_name: 'A', last_name: 'B', employment_type: 'CDI', email: 'not-an-email' },
        '/email',
        expect.any(String),
      ],
      [
        'a tag over 40 characters',
        { first_name: 'A', last_name: 'B', employment_type: 'CDI', tags: ['x'.repeat(41)] },
        '/tags/0',
        expect.any(String),
      ],
      [
        'a malformed account id',
        { first_name: 'A', last_name: 'B', employment_type: 'CDI', account_id: 'nope' },
        '/account_id',
        expect.any(String),
      ],
    ])('answers 400 for %s', async (_case, payload, path, message) => {
      const org = await createOrgFixture(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: usersUrl(org),
        headers: org.admin.headers,
        payload,
      });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual(
        expect.arrayContaining([{ location: 'body', path: expect.stringContaining(path), message }]),
      );
      const count = await ctx.app.database.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', org.orgId)
        .execute();
      expect(count).toEqual([]);
    });

    it('answers 400 when the same skill is listed twice (after trimming and lower-casing)', async () => {
      const org = await createOrgFixture(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: usersUrl(org),
        headers: org.admin.headers,
        payload: {
          first_name: 'A',
          last_name: 'B',
          employment_type: 'CDI',
          skills: [
            { name: 'son', level: 2 },
            { name: ' SON', level: 3 },
          ],
        },
      });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual([
        { location: 'body', path: '/skills/1/name', message: 'skill "son" is listed more than once' },
      ]);
    });
  });

  describe('account_id', () => {
    it('links a member account; a tech then reads their own profile only', async () => {
      const org = await createOrgFixture(ctx.app);
      const own = await createUser(ctx.app, org, { account_id: org.tech.accountId });
      expect(own.account_id).toBe(org.tech.accountId);
      const other = await createUser(ctx.app, org);

      const mine = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, own.id),
        headers: org.tech.headers,
      });
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toEqual(own);

      const theirs = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, other.id),
        headers: org.tech.headers,
      });
      const body = expectProblem(theirs, 404, 'not_found');
      expect(body.detail).toBe('User not found');
    });

    it('answers 400 naming account_id for an account that is not a member of the org', async () => {
      const org = await createOrgFixture(ctx.app);
      const stranger = await createAccount(ctx.app);
      const elsewhere = await createOrgFixture(ctx.app);
      for (const accountId of [stranger.id, elsewhere.tech.accountId, randomUUID()]) {
        const res = await ctx.app.inject({
          method: 'POST',
          url: usersUrl(org),
          headers: org.admin.headers,
          payload: { first_name: 'A', last_name: 'B', employment_type: 'CDI', account_id: accountId },
        });
        const body = expectProblem(res, 400, 'validation_failed');
        expect(body.errors).toEqual([
          {
            location: 'body',
            path: '/account_id',
            message: 'is not an account that is a member of this org',
          },
        ]);
      }
    });

    it('answers 409 already_exists when the account is already linked to another user of the org', async () => {
      const org = await createOrgFixture(ctx.app);
      const first = await createUser(ctx.app, org, { account_id: org.manager.accountId });
      const res = await ctx.app.inject({
        method: 'POST',
        url: usersUrl(org),
        headers: org.admin.headers,
        payload: {
          first_name: 'A',
          last_name: 'B',
          employment_type: 'CDI',
          account_id: org.manager.accountId,
        },
      });
      const body = expectProblem(res, 409, 'already_exists');
      expect(body.detail).toBe('This account is already linked to another user of this org');

      const second = await createUser(ctx.app, org);
      const patch = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, second.id),
        headers: org.admin.headers,
        payload: { account_id: org.manager.accountId },
      });
      expectProblem(patch, 409, 'already_exists');

      // re-linking the same user to its own account is no conflict; unlinking frees the account
      const same = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, first.id),
        headers: org.admin.headers,
        payload: { account_id: org.manager.accountId },
      });
      expect(same.statusCode).toBe(200);
      expect(same.json()).toMatchObject({ account_id: org.manager.accountId });
      const unlink = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, first.id),
        headers: org.admin.headers,
        payload: { account_id: null },
      });
      expect(unlink.statusCode).toBe(200);
      expect(unlink.json()).toMatchObject({ account_id: null });
      const relink = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, second.id),
        headers: org.admin.headers,
        payload: { account_id: org.manager.accountId },
      });
      expect(relink.statusCode).toBe(200);
      expect(relink.json()).toMatchObject({ id: second.id, account_id: org.manager.accountId });
    });

    it('lets the same account be linked in two different orgs', async () => {
      const org = await createOrgFixture(ctx.app);
      const other = await createOrgFixture(ctx.app);
      await ctx.app.database.db
        .insertInto('org_memberships')
        .values({
          id: randomUUID(),
          org_id: other.orgId,
          account_id: org.tech.accountId,
          role: 'tech',
          created_at: new Date().toISOString(),
        })
        .execute();
      const a = await createUser(ctx.app, org, { account_id: org.tech.accountId });
      const b = await createUser(ctx.app, other, { account_id: org.tech.accountId });
      expect([a.account_id, b.account_id]).toEqual([org.tech.accountId, org.tech.accountId]);
    });
  });

  describe('GET /users/:user_id', () => {
    it('answers 404 for another org’s user exactly like for a random id', async () => {
      const org = await createOrgFixture(ctx.app);
      const other = await createOrgFixture(ctx.app);
      const foreign = await createUser(ctx.app, other);
      const bodies = [];
      for (const id of [foreign.id, randomUUID()]) {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const res = await ctx.app.inject({
            method,
            url: userUrl(org, id),
            headers: org.owner.headers,
            ...(method === 'PATCH' ? { payload: { active: false } } : {}),
          });
          const { request_id: _, ...body } = expectProblem(res, 404, 'not_found');
          bodies.push(body);
        }
      }
      expect(bodies.slice(3)).toEqual(bodies.slice(0, 3));
      expect(bodies[0]).toEqual({
        type: 'urn:coulisses-crew:problem:not_found',
        title: 'Not Found',
        status: 404,
        detail: 'User not found',
        code: 'not_found',
      });
      // and the foreign user is untouched
      const still = await ctx.app.inject({
        method: 'GET',
        url: userUrl(other, foreign.id),
        headers: other.manager.headers,
      });
      expect(still.statusCode).toBe(200);
      expect(still.json()).toEqual(foreign);
    });

    it('answers 400 for a malformed user id', async () => {
      const org = await createOrgFixture(ctx.app);
      const res = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, 'not-a-uuid'),
        headers: org.manager.headers,
      });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual([{ location: 'params', path: '/user_id', message: expect.any(String) }]);
    });

    it('answers 404 to a tech with no linked user', async () => {
      const org = await createOrgFixture(ctx.app);
      const user = await createUser(ctx.app, org);
      const res = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, user.id),
        headers: org.tech.headers,
      });
      expectProblem(res, 404, 'not_found');
    });
  });

  describe('PATCH /users/:user_id', () => {
    it('changes only the given fields, replaces skills and tags, and audits before/after', async () => {
      const org = await createOrgFixture(ctx.app);
      const user = await createUser(ctx.app, org, {
        email: 'a@example.com',
        phone: '0102030405',
        skills: [
          { name: 'son', level: 2 },
          { name: 'vidéo', level: 3 },
        ],
        tags: ['permis-b', 'cariste'],
        notes: 'note',
      });
      const res = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload: {
          last_name: ' Durand ',
          phone: null,
          skills: [
            { name: 'Son', level: 5 },
            { name: 'rigging', level: 1 },
          ],
          tags: ['Régie'],
          active: false,
        },
      });
      expect(res.statusCode).toBe(200);
      const updated = res.json();
      expect(updated).toEqual({
        ...user,
        last_name: 'Durand',
        phone: null,
        skills: [
          { name: 'rigging', level: 1 },
          { name: 'son', level: 5 },
        ],
        tags: ['régie'],
        active: false,
        updated_at: expect.stringMatching(ISO),
      });
      expect(updated.updated_at >= user.updated_at).toBe(true);

      const skills = await ctx.app.database.db
        .selectFrom('user_skills')
        .select(['name', 'level'])
        .where('user_id', '=', user.id)
        .orderBy('name')
        .execute();
      expect(skills).toEqual([
        { name: 'rigging', level: 1 },
        { name: 'son', level: 5 },
      ]);

      const audit = await auditRowsOf(ctx.app, org.orgId, user.id);
      expect(audit.find((a) => a.action === 'user.update')).toMatchObject({
        actor_account_id: org.admin.accountId,
        before: user,
        after: updated,
        request_id: res.headers['x-request-id'],
      });
    });

    it('clears skills and tags with empty arrays and keeps them when absent', async () => {
      const org = await createOrgFixture(ctx.app);
      const user = await createUser(ctx.app, org, {
        skills: [{ name: 'son', level: 2 }],
        tags: ['cariste'],
      });
      const keep = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload: { notes: 'toujours là' },
      });
      expect(keep.statusCode).toBe(200);
      expect(keep.json()).toMatchObject({
        skills: [{ name: 'son', level: 2 }],
        tags: ['cariste'],
        notes: 'toujours là',
      });
      const clear = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload: { skills: [], tags: [] },
      });
      expect(clear.statusCode).toBe(200);
      expect(clear.json()).toMatchObject({ skills: [], tags: [], notes: 'toujours là' });
    });

    it.each([
      ['an empty body', {}, '/', expect.any(String)],
      ['an unknown field', { nickname: 'x' }, '/', 'unknown field "nickname"'],
      ['a null required field', { first_name: null }, '/first_name', expect.any(String)],
      ['a bad level', { skills: [{ name: 'son', level: 0 }] }, '/skills/0/level', expect.any(String)],
      ['a bad enum', { employment_type: 'cdi' }, '/employment_type', expect.any(String)],
    ])('answers 400 for %s and changes nothing', async (_case, payload, path, message) => {
      const org = await createOrgFixture(ctx.app);
      const user = await createUser(ctx.app, org);
      const res = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload,
      });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors).toEqual(
        expect.arrayContaining([{ location: 'body', path: expect.stringContaining(path), message }]),
      );
      const audit = await auditRowsOf(ctx.app, org.orgId, user.id);
      expect(audit.map((a) => a.action)).toEqual(['user.create']);
    });

    it('answers 400 for a duplicate skill and a non-member account, changing nothing', async () => {
      const org = await createOrgFixture(ctx.app);
      const user = await createUser(ctx.app, org, { skills: [{ name: 'son', level: 1 }] });
      const dup = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload: {
          skills: [
            { name: 'lumière', level: 1 },
            { name: 'Lumière', level: 2 },
          ],
        },
      });
      expect(expectProblem(dup, 400, 'validation_failed').errors).toEqual([
        { location: 'body', path: '/skills/1/name', message: 'skill "lumière" is listed more than once' },
      ]);
      const stranger = await createAccount(ctx.app);
      const link = await ctx.app.inject({
        method: 'PATCH',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
        payload: { account_id: stranger.id, first_name: 'Changed' },
      });
      expect(expectProblem(link, 400, 'validation_failed').errors).toEqual([
        { location: 'body', path: '/account_id', message: 'is not an account that is a member of this org' },
      ]);
      const read = await ctx.app.inject({
        method: 'GET',
        url: userUrl(org, user.id),
        headers: org.admin.headers,
      });
      expect(read.json()).toEqual(user);
    });
  });
});
