import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { recordEvent } from '../../../src/platform/events.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { listening, openSse, type SseEvent } from '../../helpers/sse.js';
import { staffingKit } from '../assignments/fixtures.js';

type Wire = { id: number; type: string; org_id: string; payload: Record<string, unknown> };
const data = (e: SseEvent) => e.data as Wire;
const ofType = (type: string) => (events: SseEvent[]) => events.some((e) => e.event === type);

describe.each(DIALECTS)('live event stream (%s)', (dialect) => {
  const ctx = useTestApp(dialect, { EVENT_STREAM_HEARTBEAT_MS: '200' });
  // A second instance with its own connection(s) to the same database, as a second server process.
  let second: FastifyInstance;
  let baseA: string;
  let baseB: string;
  beforeAll(async () => {
    second = await buildApp(ctx.config);
    await second.ready();
    baseA = await listening(ctx.app);
    baseB = await listening(second);
  });
  afterAll(() => second?.close());

  async function ticketFor(app: FastifyInstance, orgId: string, headers: Record<string, string>) {
    const res = await app.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/events/ticket`, headers });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { ticket: string; url: string; expires_at: string };
  }

  it('a ticket opens the stream once; a change made through instance A reaches a stream on instance B', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(10, 14);
    const userId = await kit.user();

    const { ticket, url } = await ticketFor(second, org.orgId, org.manager.headers);
    expect(url).toBe(`/api/v1/orgs/${org.orgId}/events?ticket=${ticket}`);
    const stream = await openSse(baseB, url);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const spent = await openSse(baseB, url);
    expect(spent.status).toBe(401);
    spent.close();
    const stranger = await openSse(baseB, `/api/v1/orgs/${other.orgId}/events`, other.manager.headers);
    expect(stranger.status).toBe(200);

    const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
    expect(res.statusCode, res.body).toBe(201);
    // From the commit (the response) to the other instance's stream.
    const started = Date.now();
    const [invited] = (await stream.waitFor(ofType('assignment.invited'), 1000)).map(data);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(invited).toMatchObject({
      type: 'assignment.invited',
      org_id: org.orgId,
      payload: { assignment_id: res.json().id, mission_id: missionId, user_id: userId, status: 'INVITED' },
    });
    expect(invited).not.toHaveProperty('subjects');
    // The other org's stream saw nothing (its heartbeat proves it is alive and read).
    await new Promise((r) => setTimeout(r, 300));
    expect(stranger.events).toEqual([]);
    stream.close();
    stranger.close();
  });

  it('a tech receives their own assignment, never another person’s', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(20, 24, { quota: 3 });
    const own = await kit.user({ accountId: org.tech.accountId });
    const someoneElse = await kit.user();
    const stream = await openSse(baseA, `/api/v1/orgs/${org.orgId}/events`, org.tech.headers);
    expect(stream.status).toBe(200);

    const theirs = await kit.invite(org.manager.headers, missionId, {
      user_id: someoneElse,
      role_id: roleId,
    });
    expect(theirs.statusCode, theirs.body).toBe(201);
    const mine = await kit.invite(org.manager.headers, missionId, { user_id: own, role_id: roleId });
    expect(mine.statusCode, mine.body).toBe(201);
    const events = await stream.waitFor(ofType('assignment.invited'), 1500);
    const assignments = events.filter((e) => e.event.startsWith('assignment.')).map(data);
    expect(assignments.map((e) => e.payload.user_id)).toEqual([own]);
    expect(JSON.stringify(stream.events)).not.toContain(someoneElse);
    stream.close();
  });

  it('/me/events carries the account’s own work across orgs, opened with a ticket', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(25, 29, { quota: 3 });
    const own = await kit.user({ accountId: org.tech.accountId });
    const someoneElse = await kit.user();
    const ticket = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/me/events/ticket',
      headers: org.tech.headers,
    });
    expect(ticket.statusCode, ticket.body).toBe(201);
    expect(ticket.json().url).toMatch(/^\/api\/v1\/me\/events\?ticket=/);
    const stream = await openSse(baseB, ticket.json().url);
    expect(stream.status).toBe(200);
    for (const userId of [someoneElse, own]) {
      const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
      expect(res.statusCode, res.body).toBe(201);
    }
    const events = await stream.waitFor(ofType('assignment.invited'), 1500);
    expect(
      events.filter((e) => e.event === 'assignment.invited').map((e) => data(e).payload.user_id),
    ).toEqual([own]);
    expect(JSON.stringify(stream.events)).not.toContain(someoneElse);
    stream.close();
  });

  it('a reconnect with Last-Event-ID misses nothing after 100 changes while disconnected', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId } = await kit.mission(30, 34);
    const patch = (title: string) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/missions/${missionId}`,
        headers: org.manager.headers,
        payload: { title },
      });
    const first = await openSse(baseA, `/api/v1/orgs/${org.orgId}/events`, org.manager.headers);
    expect((await patch('Title 0')).statusCode).toBe(200);
    await first.waitFor(ofType('mission.changed'), 1000);
    first.close();
    const lastId = first.lastEventId!;
    expect(lastId).toMatch(/^\d+$/);

    for (let i = 1; i <= 100; i += 1) expect((await patch(`Title ${i}`)).statusCode).toBe(200);
    const again = await openSse(baseB, `/api/v1/orgs/${org.orgId}/events`, {
      ...org.manager.headers,
      'last-event-id': lastId,
    });
    const events = await again.waitFor(
      (es) => es.filter((e) => e.event === 'mission.changed').length >= 100,
      3000,
    );
    const titles = events
      .filter((e) => e.event === 'mission.changed')
      .map((e) => (data(e).payload.after as { title: string }).title);
    expect(titles).toEqual(Array.from({ length: 100 }, (_, i) => `Title ${i + 1}`));
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(lastId));
    again.close();
  });

  it('a resume point outside the log starts with a reset event', async () => {
    const org = await createOrgFixture(ctx.app);
    const stream = await openSse(
      baseA,
      `/api/v1/orgs/${org.orgId}/events?last_event_id=900000000000`,
      org.tech.headers,
    );
    const [reset] = await stream.waitFor(ofType('reset'), 1000);
    expect(reset!.data).toEqual({ reason: 'unknown_event_id' });
    stream.close();
    const bad = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/events`,
      headers: { ...org.tech.headers, 'last-event-id': 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('a removed member’s stream stops at once', async () => {
    const org = await createOrgFixture(ctx.app);
    const stream = await openSse(baseB, `/api/v1/orgs/${org.orgId}/events`, org.tech.headers);
    expect(stream.status).toBe(200);
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.orgId}/members/${org.tech.accountId}`,
      headers: org.admin.headers,
    });
    expect(res.statusCode, res.body).toBe(204);
    const ended = await Promise.race([
      stream.ended.then(() => 'ended'),
      new Promise((r) => setTimeout(r, 1500, 'open')),
    ]);
    expect(ended).toBe('ended');
    expect(stream.events.map((e) => e.event)).toEqual(['member.removed']);
    // And it cannot come back.
    const again = await openSse(baseB, `/api/v1/orgs/${org.orgId}/events`, org.tech.headers);
    expect(again.status).toBe(403);
    again.close();
  });

  it('a removal whose session signal comes late still ends the stream and locks the member out of that instance', async () => {
    const org = await createOrgFixture(ctx.app);
    // Instance B has the tech's session and role cached (the stream's own request stored it).
    const stream = await openSse(baseB, `/api/v1/orgs/${org.orgId}/events`, org.tech.headers);
    expect(stream.status).toBe(200);
    // The membership goes with its event but without `NOTIFY crew_sessions`: B hears of it by the event alone,
    // as when its session LISTEN connection delivers later than the hub's.
    await ctx.app.database.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('org_memberships')
        .where('org_id', '=', org.orgId)
        .where('account_id', '=', org.tech.accountId)
        .execute();
      await recordEvent(
        tx,
        { accountId: org.admin.accountId, requestId: null },
        {
          orgId: org.orgId,
          type: 'member.removed',
          entityType: 'membership',
          entityId: org.tech.accountId,
          subjects: { account_ids: [org.tech.accountId] },
          payload: { account_id: org.tech.accountId, before: { role: 'tech' } },
        },
      );
    });
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['member.removed']);
    const again = await openSse(baseB, `/api/v1/orgs/${org.orgId}/events`, org.tech.headers);
    expect(again.status).toBe(403);
    again.close();
  });
});

// With Redis, instances wake each other through pub/sub (PostgreSQL's NOTIFY is then not listened to).
describe.skipIf(!DIALECTS.includes('postgres'))('live event stream across instances through Redis', () => {
  const ctx = useTestApp('postgres', { REDIS_URL: 'redis://127.0.0.1:6379' });
  let second: FastifyInstance;
  beforeAll(async () => {
    second = await buildApp(ctx.config);
    await second.ready();
  });
  afterAll(() => second?.close());

  it('a change made through instance A reaches a stream on instance B within a second', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(40, 44);
    const userId = await kit.user();
    const stream = await openSse(
      await listening(second),
      `/api/v1/orgs/${org.orgId}/events`,
      org.admin.headers,
    );
    expect(stream.status).toBe(200);
    const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
    expect(res.statusCode, res.body).toBe(201);
    const started = Date.now();
    const [invited] = await stream.waitFor(ofType('assignment.invited'), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(data(invited!).payload).toMatchObject({ assignment_id: res.json().id, user_id: userId });
    stream.close();
  });
});
