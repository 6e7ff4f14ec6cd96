import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import {
  bearer,
  createAccount,
  createOrgFixture,
  tokenFor,
  type OrgFixture,
} from '../../helpers/factories.js';
import { at, staffingKit } from '../assignments/fixtures.js';

const URL = '/api/v1/me/assignments';

describe.each(DIALECTS)('my assignments across orgs on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  /** Invites the user to a new mission of the org and moves the assignment to `status`. */
  const assign = async (
    org: OrgFixture,
    userId: string,
    fromHour: number,
    status: 'INVITED' | 'ACCEPTED' | 'DECLINED',
    title: string,
  ) => {
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(fromHour, fromHour + 4, { title });
    const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    if (status !== 'INVITED') {
      const action = status === 'ACCEPTED' ? 'accept' : 'decline';
      expect((await kit.act(org.manager.headers, id, action)).statusCode).toBe(200);
    }
    return { id, missionId, roleId };
  };

  /** One account linked to a crew member in two orgs, with three assignments; a colleague with one. */
  const setup = async () => {
    const theatre = await createOrgFixture(ctx.app);
    const festival = await createOrgFixture(ctx.app);
    const account = await createAccount(ctx.app);
    const inTheatre = await staffingKit(ctx.app, theatre).user({ accountId: account.id, first: 'Lou' });
    const inFestival = await staffingKit(ctx.app, festival).user({ accountId: account.id, first: 'Lou' });
    const first = await assign(theatre, inTheatre, 10, 'INVITED', 'Get-in');
    const second = await assign(festival, inFestival, 20, 'ACCEPTED', 'Main stage');
    const third = await assign(theatre, inTheatre, 30, 'DECLINED', 'Strike');
    const colleague = await createAccount(ctx.app);
    const colleagueUser = await staffingKit(ctx.app, theatre).user({ accountId: colleague.id });
    const theirs = await assign(theatre, colleagueUser, 10, 'INVITED', 'Get-in too');
    return {
      theatre,
      festival,
      account,
      colleague,
      first,
      second,
      third,
      theirs,
      headers: bearer(await tokenFor(ctx.app, account.id, null)),
    };
  };

  it('lists the caller’s assignments in every org, ordered by mission start', async () => {
    const s = await setup();
    const res = await ctx.app.inject({ method: 'GET', url: URL, headers: s.headers });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.next_cursor).toBeNull();
    expect(body.items).toHaveLength(3);
    expect(body.items[0]).toEqual({
      id: s.first.id,
      status: 'INVITED',
      note: null,
      responded_at: null,
      org: { id: s.theatre.orgId, name: s.theatre.name },
      mission: {
        id: s.first.missionId,
        title: 'Get-in',
        starts_at: at(10),
        ends_at: at(14),
        location: 'Lyon',
      },
      role: { id: s.first.roleId, name: 'Rigger' },
    });
    expect(body.items[1]).toMatchObject({
      id: s.second.id,
      status: 'ACCEPTED',
      responded_at: expect.any(String),
      org: { id: s.festival.orgId, name: s.festival.name },
      mission: { title: 'Main stage', starts_at: at(20) },
    });
    expect(body.items[2]).toMatchObject({
      id: s.third.id,
      status: 'DECLINED',
      org: { id: s.theatre.orgId },
    });
  });

  it('works whatever org the token is scoped to', async () => {
    const s = await setup();
    const scoped = bearer(await tokenFor(ctx.app, s.account.id, s.festival.orgId));
    const res = await ctx.app.inject({ method: 'GET', url: URL, headers: scoped });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { id: string }) => i.id)).toEqual([s.first.id, s.second.id, s.third.id]);
  });

  it('filters by status (repeatable) and by time window', async () => {
    const s = await setup();
    const statuses = await ctx.app.inject({
      method: 'GET',
      url: `${URL}?status=ACCEPTED&status=INVITED`,
      headers: s.headers,
    });
    expect(statuses.statusCode).toBe(200);
    expect(statuses.json().items.map((i: { id: string }) => i.id)).toEqual([s.first.id, s.second.id]);

    const declined = await ctx.app.inject({
      method: 'GET',
      url: `${URL}?status=DECLINED`,
      headers: s.headers,
    });
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toEqual({
      items: [expect.objectContaining({ id: s.third.id, status: 'DECLINED' })],
      next_cursor: null,
    });

    const window = await ctx.app.inject({
      method: 'GET',
      url: `${URL}?from=${encodeURIComponent(at(15))}&to=${encodeURIComponent(at(25))}`,
      headers: s.headers,
    });
    expect(window.statusCode).toBe(200);
    expect(window.json()).toEqual({
      items: [
        expect.objectContaining({ id: s.second.id, org: { id: s.festival.orgId, name: s.festival.name } }),
      ],
      next_cursor: null,
    });

    const backwards = await ctx.app.inject({
      method: 'GET',
      url: `${URL}?from=${encodeURIComponent(at(25))}&to=${encodeURIComponent(at(15))}`,
      headers: s.headers,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'validation_failed' });

    const badStatus = await ctx.app.inject({ method: 'GET', url: `${URL}?status=MAYBE`, headers: s.headers });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('pages with a keyset cursor', async () => {
    const s = await setup();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: LightMyRequestResponse = await ctx.app.inject({
        method: 'GET',
        url: `${URL}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: s.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: { id: string }[]; next_cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual([s.first.id, s.second.id, s.third.id]);

    const bad = await ctx.app.inject({ method: 'GET', url: `${URL}?cursor=nonsense`, headers: s.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('never shows another account’s assignments', async () => {
    const s = await setup();
    const colleague = await ctx.app.inject({
      method: 'GET',
      url: URL,
      headers: bearer(await tokenFor(ctx.app, s.colleague.id, s.theatre.orgId)),
    });
    expect(colleague.statusCode).toBe(200);
    expect(colleague.json()).toEqual({
      items: [
        expect.objectContaining({
          id: s.theirs.id,
          mission: expect.objectContaining({ title: 'Get-in too' }),
        }),
      ],
      next_cursor: null,
    });

    // the theatre's manager has no crew row of their own: nothing, not the org's assignments
    const manager = await ctx.app.inject({ method: 'GET', url: URL, headers: s.theatre.manager.headers });
    expect(manager.statusCode).toBe(200);
    expect(manager.json()).toEqual({ items: [], next_cursor: null });

    const stranger = await createAccount(ctx.app);
    const res = await ctx.app.inject({
      method: 'GET',
      url: URL,
      headers: bearer(await tokenFor(ctx.app, stranger.id, null)),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], next_cursor: null });
  });

  it('answers 401 without a token or with a forged one', async () => {
    const none = await ctx.app.inject({ method: 'GET', url: URL });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.json()).toMatchObject({ status: 401, code: 'unauthorized' });

    const forged = await ctx.app.inject({ method: 'GET', url: URL, headers: bearer('a.b.c') });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
