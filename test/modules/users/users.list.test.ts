import { describe, expect, it } from 'vitest';
import type { UserView } from '../../../src/modules/users/users.schemas.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { createUser, expectProblem, usersUrl } from './helpers.js';

describe.each(DIALECTS)('crew roster list on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  securitySuite(ctx, { method: 'GET', url: usersUrl, minRole: 'manager' });

  /** A small roster; names sort the same under any collation (capitalised ASCII initials). */
  async function roster(org: OrgFixture) {
    const make = (first_name: string, last_name: string, extra: Record<string, unknown> = {}) =>
      createUser(ctx.app, org, { first_name, last_name, ...extra });
    return {
      lea: await make('Léa', 'Martin', {
        skills: [
          { name: 'son', level: 4 },
          { name: 'lumière', level: 2 },
        ],
        tags: ['permis-b'],
      }),
      hugo: await make('Hugo', 'Bernard', { skills: [{ name: 'son', level: 2 }], tags: ['cariste'] }),
      anne: await make('Anne', 'Dubois', { skills: [{ name: 'lumière', level: 5 }], active: false }),
      claire: await make('Claire', 'Dubois', { tags: ['permis-b', 'cariste'] }),
      marc: await make('Marc', 'Petit', { skills: [{ name: 'son', level: 3 }] }),
    };
  }

  const list = async (org: OrgFixture, query = '', headers = org.manager.headers) => {
    const res = await ctx.app.inject({ method: 'GET', url: `${usersUrl(org)}${query}`, headers });
    return res;
  };
  const names = (items: UserView[]) => items.map((u) => `${u.first_name} ${u.last_name}`);

  it('lists the org’s users by last name, first name with their skills and tags', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    await createUser(ctx.app, other, { first_name: 'Zoé', last_name: 'Ailleurs' });
    const { lea, hugo, anne, claire, marc } = await roster(org);
    const res = await list(org);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [hugo, anne, claire, lea, marc], next_cursor: null });
    expect(res.json().items[3].skills).toEqual([
      { name: 'lumière', level: 2 },
      { name: 'son', level: 4 },
    ]);
  });

  it('an empty org lists nothing', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await list(org);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], next_cursor: null });
  });

  it('pages with a cursor, ties on the same name broken by id, without gaps or repeats', async () => {
    const org = await createOrgFixture(ctx.app);
    const created = [];
    for (let i = 0; i < 4; i++)
      created.push(await createUser(ctx.app, org, { first_name: 'Jean', last_name: 'Dupont' }));
    created.push(await createUser(ctx.app, org, { first_name: 'Alain', last_name: 'Dupont' }));
    created.push(await createUser(ctx.app, org, { first_name: 'Paul', last_name: 'Arnaud' }));
    const expected = [
      created[5]!,
      created[4]!,
      ...created.slice(0, 4).sort((a, b) => (a.id < b.id ? -1 : 1)),
    ].map((u) => u.id);

    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(org, `?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: UserView[]; next_cursor: string | null };
      pages.push(page.items.length);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages).toEqual([4, 2]);
    expect(seen).toEqual(expected);

    const exact = await list(org, '?limit=6');
    expect(exact.json()).toMatchObject({ next_cursor: null });
    expect(exact.json().items).toHaveLength(6);
  });

  it('pages across a filtered list', async () => {
    const org = await createOrgFixture(ctx.app);
    const { lea, hugo, marc } = await roster(org);
    const first = await list(org, '?skill=son&limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ items: [hugo, lea], next_cursor: expect.any(String) });
    const second = await list(org, `?skill=son&limit=2&cursor=${first.json().next_cursor}`);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ items: [marc], next_cursor: null });
  });

  it.each([
    ['?q=dub', ['Anne Dubois', 'Claire Dubois']],
    ['?q=DUB', ['Anne Dubois', 'Claire Dubois']],
    ['?q=claire', ['Claire Dubois']],
    ['?q=L%C3%89A%20MAR', ['Léa Martin']],
    ['?q=%20hugo%20bern%20', ['Hugo Bernard']],
    ['?q=ar', ['Hugo Bernard', 'Léa Martin', 'Marc Petit']],
    ['?q=%25', []],
    ['?q=_', []],
    ['?skill=son', ['Hugo Bernard', 'Léa Martin', 'Marc Petit']],
    ['?skill=%20SON%20', ['Hugo Bernard', 'Léa Martin', 'Marc Petit']],
    ['?skill=son&min_level=3', ['Léa Martin', 'Marc Petit']],
    ['?skill=son&min_level=5', []],
    ['?skill=lumi%C3%A8re&min_level=2', ['Anne Dubois', 'Léa Martin']],
    ['?skill=rigging', []],
    ['?tag=permis-b', ['Claire Dubois', 'Léa Martin']],
    ['?tag=CARISTE', ['Hugo Bernard', 'Claire Dubois']],
    ['?active=false', ['Anne Dubois']],
    ['?active=true', ['Hugo Bernard', 'Claire Dubois', 'Léa Martin', 'Marc Petit']],
    ['?active=true&skill=lumi%C3%A8re', ['Léa Martin']],
    ['?tag=cariste&skill=son&q=bern', ['Hugo Bernard']],
  ])('filters %s', async (query, expected) => {
    const org = await createOrgFixture(ctx.app);
    await roster(org);
    const res = await list(org, query);
    expect(res.statusCode).toBe(200);
    expect(names(res.json().items)).toEqual(expected);
    expect(res.json().next_cursor).toBeNull();
  });

  it('lets an owner and an admin list too', async () => {
    const org = await createOrgFixture(ctx.app);
    const { hugo } = await roster(org);
    for (const headers of [org.owner.headers, org.admin.headers]) {
      const res = await list(org, '?limit=1', headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [hugo], next_cursor: expect.any(String) });
    }
  });

  it.each([
    ['?limit=0', '/limit'],
    ['?limit=101', '/limit'],
    ['?min_level=6&skill=son', '/min_level'],
    ['?min_level=0&skill=son', '/min_level'],
    ['?active=maybe', '/active'],
    ['?sort=name', '/'],
    ['?q=', '/q'],
  ])('answers 400 for %s', async (query, path) => {
    const org = await createOrgFixture(ctx.app);
    const res = await list(org, query);
    const body = expectProblem(res, 400, 'validation_failed');
    expect(body.errors).toEqual(
      expect.arrayContaining([{ location: 'querystring', path, message: expect.any(String) }]),
    );
  });

  it('loads skills and tags for a whole page in one query each (no N+1)', async () => {
    const org = await createOrgFixture(ctx.app);
    // The statements run (the query log), by the table they read: some are compiled once, so counting query
    // building would miss them.
    const queriesFor = async (limit: number) => {
      const statements: string[] = [];
      const stop = ctx.app.database.onQuery!((event) => statements.push(event.sql));
      try {
        const res = await list(org, `?limit=${limit}`);
        expect(res.statusCode).toBe(200);
        expect(res.json().items).toHaveLength(limit);
        // the roster's own tables (the access hook's session lookup may or may not be cached), sorted: skills
        // and tags are read at once, on two connections on PostgreSQL, so either may finish first
        return statements
          .map((sql) => /from "(\w+)"/.exec(sql)?.[1] ?? sql)
          .filter((table) => ['users', 'user_skills', 'user_tags'].includes(table))
          .sort();
      } finally {
        stop();
      }
    };
    for (let i = 0; i < 12; i++) {
      await createUser(ctx.app, org, { skills: [{ name: `skill-${i}`, level: 1 }], tags: [`tag-${i}`] });
    }
    const small = await queriesFor(1);
    const large = await queriesFor(12);
    expect(large).toEqual(small);
    expect(large.filter((t) => t === 'user_skills')).toHaveLength(1);
    expect(large.filter((t) => t === 'user_tags')).toHaveLength(1);
  });

  it('a page of more than 50 people carries each one’s skills and tags', async () => {
    const org = await createOrgFixture(ctx.app);
    for (let i = 0; i < 60; i++) {
      await createUser(ctx.app, org, { skills: [{ name: `skill-${i}`, level: 2 }], tags: [`tag-${i}`] });
    }
    const res = await list(org, '?limit=100');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { skills: { name: string }[]; tags: string[] }[];
    const withSkill = items.filter((u) => u.skills.length === 1 && u.tags.length === 1);
    expect(withSkill).toHaveLength(60);
    expect(new Set(withSkill.map((u) => u.skills[0]!.name)).size).toBe(60);
    expect(withSkill.every((u) => u.tags[0] === u.skills[0]!.name.replace('skill', 'tag'))).toBe(true);
  });

  it('documents every roster route in /openapi.json with tags, summary, examples and problems', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths;
    const list = paths['/api/v1/orgs/{org_id}/users'];
    const one = paths['/api/v1/orgs/{org_id}/users/{user_id}'];
    const operations = [list.post, list.get, one.get, one.patch, one.delete];
    for (const op of operations) {
      expect(op).toMatchObject({
        tags: ['users'],
        summary: expect.any(String),
        security: [{ bearerAuth: [] }],
      });
      for (const status of ['400', '401', '403']) {
        expect(op.responses[status].content['application/json'].schema).toMatchObject({
          required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
        });
      }
    }
    expect(Object.keys(list.post.responses)).toEqual(expect.arrayContaining(['201', '409']));
    expect(Object.keys(one.delete.responses)).toEqual(expect.arrayContaining(['204', '404', '409']));
    expect(Object.keys(list.post.requestBody.content['application/json'].examples)).toHaveLength(2);
    expect(Object.keys(one.patch.requestBody.content['application/json'].examples)).toHaveLength(2);
    expect(list.get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'skill', 'min_level', 'tag', 'active', 'limit', 'cursor', 'org_id']),
    );
  });

  it('answers 400 for min_level without skill and for a cursor it did not make', async () => {
    const org = await createOrgFixture(ctx.app);
    const lonely = await list(org, '?min_level=3');
    expect(expectProblem(lonely, 400, 'validation_failed').errors).toEqual([
      { location: 'querystring', path: '/min_level', message: 'only applies together with skill' },
    ]);
    for (const cursor of ['garbage', Buffer.from('["a","b"]').toString('base64url')]) {
      const res = await list(org, `?cursor=${cursor}`);
      expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([
        { location: 'querystring', path: '/cursor', message: 'invalid cursor' },
      ]);
    }
  });
});
