import ICAL from 'ical.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { bearer, createAccount, createOrgFixture, tokenFor } from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

const BASE_URL = 'https://crew.example.com';
const DAY = 24 * 3600_000;

function events(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      status: String(vevent.getFirstPropertyValue('status')),
      summary: event.summary,
      location: event.location,
      description: event.description,
      start: event.startDate.toJSDate().toISOString(),
    };
  });
}

/**
 * The account feed's ETag comes from an aggregate of what the feed shows, not from its rows: every change a
 * calendar must see gives a new ETag and the new document; nothing changed answers 304.
 */
describe.each(DIALECTS)('calendar feed ETag on %s', (dialect) => {
  const ctx = useTestApp(dialect, { PUBLIC_BASE_URL: BASE_URL });
  afterEach(() => vi.useRealTimers());

  /** A crew account with one assignment (INVITED) in a fresh org, its feed, and a poll that remembers the ETag. */
  async function subscribed() {
    const org = await createOrgFixture(ctx.app);
    const account = await createAccount(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const userId = await kit.user({ accountId: account.id });
    const { missionId, roleId } = await kit.mission(10, 14, { title: 'Load-in' });
    const invited = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
    expect(invited.statusCode, invited.body).toBe(201);
    const assignmentId = invited.json().id as string;
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/me/calendar-feed',
      headers: bearer(await tokenFor(ctx.app, account.id, null)),
    });
    expect(created.statusCode, created.body).toBe(201);
    const path = (created.json().url as string).slice(BASE_URL.length);
    let etag = '';
    /** Polls with the last ETag: null for a 304, else the new document's events (and the new ETag kept). */
    const poll = async () => {
      const res = await ctx.app.inject({ method: 'GET', url: path, headers: { 'if-none-match': etag } });
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      if (res.statusCode === 304) {
        expect(res.headers.etag).toBe(etag);
        expect(res.body).toBe('');
        return null;
      }
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers.etag).not.toBe(etag);
      etag = res.headers.etag as string;
      return events(res.body);
    };
    const patch = (url: string, payload: object, headers = org.manager.headers) =>
      ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.orgId}${url}`, headers, payload });
    return { org, kit, missionId, roleId, assignmentId, poll, patch };
  }

  it('answers 304 while nothing changed, from two queries that load no assignment', async () => {
    const { poll } = await subscribed();
    expect(await poll()).toHaveLength(1);
    expect(await poll()).toBeNull();
    const queries: string[] = [];
    const stop = ctx.app.database.onQuery!((query) => queries.push(query.sql));
    try {
      expect(await poll()).toBeNull();
    } finally {
      stop();
    }
    // The feed by its token's hash, then the aggregate: no row of the feed's content is read.
    expect(queries).toHaveLength(2);
    expect(queries[0]).toContain('calendar_feeds');
    expect(queries[1]).toMatch(/^select count\(\*\)/);
    expect(queries.join('\n')).not.toContain('"m"."title"');
  });

  it('gives a new ETag and document when the mission’s times, title or location change', async () => {
    const { missionId, poll, patch } = await subscribed();
    const [first] = (await poll())!;
    const moved = await patch(`/missions/${missionId}`, {
      starts_at: '2031-03-03T13:00:00.000Z',
      ends_at: '2031-03-03T17:00:00.000Z',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const [afterMove] = (await poll())!;
    expect(afterMove!.start).toBe('2031-03-03T13:00:00.000Z');
    expect(afterMove!.start).not.toBe(first!.start);
    expect(await poll()).toBeNull();

    const renamed = await patch(`/missions/${missionId}`, { title: 'Strike' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await poll())![0]!.summary).toBe('Strike (Rigger)');

    const relocated = await patch(`/missions/${missionId}`, { location: 'Olympia, Paris' });
    expect(relocated.statusCode, relocated.body).toBe(200);
    expect((await poll())![0]!.location).toBe('Olympia, Paris');
    expect(await poll()).toBeNull();
  });

  it('gives a new ETag and document when a role is renamed or the assignment changes state', async () => {
    const { org, kit, missionId, roleId, assignmentId, poll, patch } = await subscribed();
    expect((await poll())![0]!.status).toBe('TENTATIVE');
    const role = await patch(`/missions/${missionId}/roles/${roleId}`, { name: 'Head rigger' });
    expect(role.statusCode, role.body).toBe(200);
    expect((await poll())![0]!.summary).toBe('Load-in (Head rigger)');

    const accepted = await kit.act(org.manager.headers, assignmentId, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect((await poll())![0]!.status).toBe('CONFIRMED');
    expect(await poll()).toBeNull();

    const cancelled = await kit.act(org.manager.headers, assignmentId, 'cancel');
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await poll())![0]!.status).toBe('CANCELLED');
    expect(await poll()).toBeNull();
  });

  it('gives a new ETag when the org’s name or time zone changes (times stay UTC)', async () => {
    const { org, poll, patch } = await subscribed();
    const [first] = (await poll())!;
    const renamed = await patch('', { name: 'Renamed Productions' }, org.owner.headers);
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await poll())![0]!.description).toContain('Renamed Productions · Rigger');

    const zone = await patch('', { timezone: 'America/Montreal' }, org.owner.headers);
    expect(zone.statusCode, zone.body).toBe(200);
    const [afterZone] = (await poll())!;
    expect(afterZone!.start).toBe(first!.start);
    expect(await poll()).toBeNull();
  });

  it('gives a new ETag when a write is stamped earlier than the latest one (another instance’s clock)', async () => {
    const { org, kit, assignmentId, poll } = await subscribed();
    // A second assignment holds the latest stamp, so a maximum alone would not move.
    const { missionId, roleId } = await kit.mission(20, 24, { title: 'Show' });
    const userId = await ctx.app.database.db
      .selectFrom('assignments')
      .select('user_id')
      .where('id', '=', assignmentId)
      .executeTakeFirstOrThrow();
    const second = await kit.invite(org.manager.headers, missionId, { ...userId, role_id: roleId });
    expect(second.statusCode, second.body).toBe(201);
    expect(await poll()).toHaveLength(2);
    const stamp = (updated_at: string, status?: 'ACCEPTED') =>
      ctx.app.database.db
        .updateTable('assignments')
        .set({ updated_at, ...(status ? { status } : {}) })
        .where('id', '=', assignmentId)
        .execute();
    await stamp('2026-01-01T00:00:00.000Z');
    expect(await poll()).toHaveLength(2);
    // Same state, a stamp moved by one millisecond: still a new ETag.
    await stamp('2026-01-01T00:00:00.001Z');
    expect(await poll()).toHaveLength(2);
    await stamp('2026-01-01T00:00:00.002Z', 'ACCEPTED');
    expect((await poll())!.map((e) => e.status)).toEqual(['CONFIRMED', 'TENTATIVE']);
    expect(await poll()).toBeNull();
  });

  it('drops a cancellation once it is 30 days old: a new ETag, without the event', async () => {
    const { org, kit, assignmentId, poll } = await subscribed();
    const cancelled = await kit.act(org.manager.headers, assignmentId, 'cancel');
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await poll())![0]!.status).toBe('CANCELLED');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 29 * DAY });
    expect(await poll()).toBeNull();
    vi.setSystemTime(Date.now() + 2 * DAY);
    expect(await poll()).toEqual([]);
    expect(await poll()).toBeNull();
  });
});
