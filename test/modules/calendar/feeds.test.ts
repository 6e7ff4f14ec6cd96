import { foldLines as libraryFoldLines } from 'ical-generator';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/platform/auth/secrets.js';
import { redactUrl } from '../../../src/platform/http/logging.js';
import { foldLines } from '../../../src/modules/calendar/ics.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import {
  bearer,
  createAccount,
  createOrgFixture,
  tokenFor,
  type OrgFixture,
} from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { BASE, staffingKit } from '../assignments/fixtures.js';

const BASE_URL = 'https://crew.example.com';
const HOUR = 3600_000;
/** Kit hours for an absolute instant. */
const hoursAt = (iso: string) => (Date.parse(iso) - BASE) / HOUR;

interface ParsedEvent {
  uid: string;
  status: string;
  summary: string;
  start: string;
  end: string;
}
function parse(ics: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      status: String(vevent.getFirstPropertyValue('status')),
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
}

describe.each(DIALECTS)('calendar feeds on %s', (dialect) => {
  const ctx = useTestApp(dialect, { PUBLIC_BASE_URL: BASE_URL });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers });
  const fetchFeed = (url: string, headers: Record<string, string> = {}) =>
    call('GET', url.slice(BASE_URL.length), headers);
  const setStatus = (id: string, status: string, updatedAt = new Date().toISOString()) =>
    ctx.app.database.db
      .updateTable('assignments')
      .set({ status: status as 'ACCEPTED', updated_at: updatedAt })
      .where('id', '=', id)
      .execute();

  /** One crew account with a roster profile in two orgs, and work in each. */
  async function crewInTwoOrgs() {
    const account = await createAccount(ctx.app);
    const headers = bearer(await tokenFor(ctx.app, account.id, null));
    const profiles = new Map<string, string>();
    const work = async (org: OrgFixture, fromIso: string, toIso: string, title: string) => {
      const kit = staffingKit(ctx.app, org);
      const userId = profiles.get(org.orgId) ?? (await kit.user({ accountId: account.id }));
      profiles.set(org.orgId, userId);
      const { missionId, roleId } = await kit.mission(hoursAt(fromIso), hoursAt(toIso), { title });
      const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
      expect(res.statusCode, res.body).toBe(201);
      return { kit, userId, assignmentId: res.json().id as string };
    };
    const orgA = await createOrgFixture(ctx.app);
    const orgB = await createOrgFixture(ctx.app);
    return { account, headers, orgA, orgB, work };
  }

  it('folds lines to the same bytes as ical-generator’s own folding', () => {
    const long = `DESCRIPTION:${'Régie son — façade 🎚️ “retours” · '.repeat(12)}`;
    for (const line of [
      long,
      `SUMMARY:${'a'.repeat(74)}`,
      `SUMMARY:${'é'.repeat(40)}`,
      'X:\uDC00lone'.repeat(20),
    ]) {
      const document = `BEGIN:VEVENT\r\n${line}\r\nEND:VEVENT`;
      expect(foldLines(document)).toBe(libraryFoldLines(document));
    }
  });

  it('answers 401 without a login', async () => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await call(method, '/api/v1/me/calendar-feed');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('serves my INVITED and ACCEPTED work in every org, recent cancellations as CANCELLED, in UTC across DST', async () => {
    const { account, headers, orgA, orgB, work } = await crewInTwoOrgs();
    // 29/30 March 2031: Paris goes from UTC+1 to UTC+2. 09:00 local the day before, 10:00 local the day after.
    const before = await work(orgA, '2031-03-29T08:00:00.000Z', '2031-03-29T12:00:00.000Z', 'Before DST');
    const after = await work(orgB, '2031-03-31T08:00:00.000Z', '2031-03-31T12:00:00.000Z', 'After DST');
    const cancelled = await work(orgA, '2031-04-02T08:00:00.000Z', '2031-04-02T12:00:00.000Z', 'Cancelled');
    const longCancelled = await work(orgA, '2031-04-03T08:00:00.000Z', '2031-04-03T12:00:00.000Z', 'Old');
    await setStatus(after.assignmentId, 'ACCEPTED');
    await setStatus(cancelled.assignmentId, 'CANCELLED');
    await setStatus(
      longCancelled.assignmentId,
      'CANCELLED',
      new Date(Date.now() - 31 * 24 * HOUR).toISOString(),
    );
    // Someone else's work never shows.
    const other = staffingKit(ctx.app, orgA);
    const { missionId, roleId } = await other.mission(
      hoursAt('2031-03-29T08:00:00.000Z'),
      hoursAt('2031-03-29T12:00:00.000Z'),
    );
    await other.invite(orgA.manager.headers, missionId, { user_id: await other.user(), role_id: roleId });

    const created = await call('POST', '/api/v1/me/calendar-feed', headers);
    expect(created.statusCode, created.body).toBe(201);
    const { url, created_at } = created.json() as { url: string; created_at: string };
    expect(url).toMatch(/^https:\/\/crew\.example\.com\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const token = url.slice(`${BASE_URL}/api/v1/calendar/`.length, -'.ics'.length);
    const stored = await ctx.app.database.db
      .selectFrom('calendar_feeds')
      .selectAll()
      .where('account_id', '=', account.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(redactUrl(url.slice(BASE_URL.length))).toBe('/api/v1/calendar/[redacted]');

    const status = await call('GET', '/api/v1/me/calendar-feed', headers);
    expect(status.json()).toEqual({ active: true, created_at });

    const res = await fetchFeed(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.body).toContain('DTSTART:20310329T080000Z');
    const events = parse(res.body);
    expect(events).toEqual([
      {
        uid: `${before.assignmentId}@coulisses-crew`,
        status: 'TENTATIVE',
        summary: 'Before DST (Rigger)',
        start: '2031-03-29T08:00:00.000Z',
        end: '2031-03-29T12:00:00.000Z',
      },
      {
        uid: `${after.assignmentId}@coulisses-crew`,
        status: 'CONFIRMED',
        summary: 'After DST (Rigger)',
        start: '2031-03-31T08:00:00.000Z',
        end: '2031-03-31T12:00:00.000Z',
      },
      {
        uid: `${cancelled.assignmentId}@coulisses-crew`,
        status: 'CANCELLED',
        summary: 'Cancelled (Rigger)',
        start: '2031-04-02T08:00:00.000Z',
        end: '2031-04-02T12:00:00.000Z',
      },
    ]);

    // Polls: the same ETag, 304 with If-None-Match; a change gives a new ETag with the same UIDs.
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetchFeed(url, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await setStatus(before.assignmentId, 'ACCEPTED');
    const changed = await fetchFeed(url, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(parse(changed.body).map((e) => [e.uid, e.status])).toEqual([
      [`${before.assignmentId}@coulisses-crew`, 'CONFIRMED'],
      [`${after.assignmentId}@coulisses-crew`, 'CONFIRMED'],
      [`${cancelled.assignmentId}@coulisses-crew`, 'CANCELLED'],
    ]);
  });

  it('rotates and revokes: the old URL answers 404 at once; every step is audited', async () => {
    const { account, headers } = await crewInTwoOrgs();
    const first = (await call('POST', '/api/v1/me/calendar-feed', headers)).json().url as string;
    const second = (await call('POST', '/api/v1/me/calendar-feed', headers)).json().url as string;
    expect(second).not.toBe(first);
    const gone = await fetchFeed(first);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'not_found' });
    expect((await fetchFeed(second)).statusCode).toBe(200);
    const revoked = await call('DELETE', '/api/v1/me/calendar-feed', headers);
    expect(revoked.statusCode).toBe(204);
    expect((await fetchFeed(second)).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/me/calendar-feed', headers)).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me/calendar-feed', headers)).json()).toEqual({
      active: false,
      created_at: null,
    });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor_account_id', '=', account.id)
      .where('entity_type', '=', 'calendar_feed')
      .orderBy('created_at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'calendar_feed.create',
      'calendar_feed.rotate',
      'calendar_feed.revoke',
    ]);
  });

  it('rejects a malformed token with 400 and an unknown one with 404', async () => {
    expect((await call('GET', '/api/v1/calendar/short.ics')).statusCode).toBe(400);
    const unknown = await call('GET', '/api/v1/calendar/unknown-token-unknown-token-0000.ics');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found' });
  });

  const projectFeedUrl = async (org: OrgFixture) => {
    const kit = staffingKit(ctx.app, org);
    const { missionId } = await kit.mission(10, 14, { title: 'Show call' });
    const mission = await ctx.app.database.db
      .selectFrom('missions')
      .select('project_id')
      .where('id', '=', missionId)
      .executeTakeFirstOrThrow();
    return `/api/v1/orgs/${org.orgId}/projects/${mission.project_id}/calendar-feed`;
  };
  securitySuite(ctx, { method: 'POST', url: projectFeedUrl, minRole: 'manager' });
  securitySuite(ctx, { method: 'GET', url: projectFeedUrl, minRole: 'manager' });
  securitySuite(ctx, { method: 'DELETE', url: projectFeedUrl, minRole: 'manager' });

  it('gives a manager a feed of one project, which dies when they are no longer a manager', async () => {
    const org = await createOrgFixture(ctx.app);
    const path = await projectFeedUrl(org);
    const res = await call('POST', path, org.manager.headers);
    expect(res.statusCode, res.body).toBe(201);
    const feed = await fetchFeed(res.json().url);
    expect(feed.statusCode).toBe(200);
    expect(feed.body).toContain('Rigger: 0/2');
    expect(parse(feed.body).map((e) => [e.summary, e.status, e.start])).toEqual([
      ['Show call', 'CONFIRMED', new Date(BASE + 10 * HOUR).toISOString()],
    ]);
    const other = await createOrgFixture(ctx.app);
    const foreign = await call('POST', path.replace(org.orgId, other.orgId), other.manager.headers);
    expect(foreign.statusCode).toBe(404);
    const demote = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/members/${org.manager.accountId}`,
      headers: org.owner.headers,
      payload: { role: 'tech' },
    });
    expect(demote.statusCode, demote.body).toBe(200);
    expect((await fetchFeed(res.json().url)).statusCode).toBe(404);
  });
});
