import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { json, missionApi, missionBody, type ApiMission } from './fixtures.js';

describe.each(DIALECTS)('bulk mission creation on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const api = missionApi(ctx);
  const bulk = (org: OrgFixture, projectId: string, payload: object) =>
    api.call(org, 'POST', `/projects/${projectId}/missions/bulk`, payload);
  const fetchAll = async (org: OrgFixture, ids: string[]): Promise<ApiMission[]> => {
    const missions = [];
    for (const id of ids) {
      const res = await api.call(org, 'GET', `/missions/${id}`);
      expect(res.statusCode).toBe(200);
      missions.push(res.json());
    }
    return missions;
  };
  const template = (overrides: object = {}) => ({
    title: 'Evening show',
    start_time: '18:00',
    end_time: '23:30',
    location: 'Main stage',
    roles: [{ name: 'Sound', quota: 2, skill: 'sound', min_level: 2 }],
    ...overrides,
  });

  it('creates an explicit list of missions in one go, one audit row per mission', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const res = await bulk(org, projectId, {
      missions: [
        missionBody({ title: 'Day 1' }),
        missionBody({ title: 'Day 2', starts_at: '2026-07-02T06:00:00Z', ends_at: '2026-07-02T12:00:00Z' }),
        missionBody({ title: 'Day 3', starts_at: '2026-07-03T06:00:00Z', ends_at: '2026-07-03T12:00:00Z' }),
      ],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ created: 3, ids: [expect.any(String), expect.any(String), expect.any(String)] });
    const missions = await fetchAll(org, body.ids);
    expect(missions.map((m) => [m.title, m.starts_at, m.open_slots, m.roles.length, m.published])).toEqual([
      ['Day 1', '2026-07-01T06:00:00.000Z', 6, 2, false],
      ['Day 2', '2026-07-02T06:00:00.000Z', 6, 2, false],
      ['Day 3', '2026-07-03T06:00:00.000Z', 6, 2, false],
    ]);
    const audit = await api.audit(org.orgId);
    const rows = audit.filter((a) => a.action === 'mission.bulk_create');
    expect(rows.map((a) => a.entity_id).sort()).toEqual([...body.ids].sort());
    expect(
      rows.every((a) => a.entity_type === 'mission' && a.actor_account_id === org.manager.accountId),
    ).toBe(true);
    expect(json(rows.find((a) => a.entity_id === body.ids[1])!.after)).toMatchObject({ title: 'Day 2' });
  });

  it('is all or nothing: one invalid mission among many inserts nothing', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const missions = Array.from({ length: 20 }, (_, i) =>
      missionBody({
        title: `Shift ${i}`,
        starts_at: `2026-07-${String(i + 1).padStart(2, '0')}T06:00:00Z`,
        ends_at: `2026-07-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
      }),
    );
    missions[13] = missionBody({ starts_at: '2026-07-14T12:00:00Z', ends_at: '2026-07-14T06:00:00Z' });
    const res = await bulk(org, projectId, { missions });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ location: 'body', path: '/missions/13/ends_at', message: 'must be after starts_at' }],
    });

    missions[13] = missionBody({ roles: [{ name: 'Rigger', quota: 0 }] });
    const schemaInvalid = await bulk(org, projectId, { missions });
    expect(schemaInvalid.statusCode).toBe(400);
    expect(schemaInvalid.json().errors.map((e: { path: string }) => e.path)).toContain(
      '/missions/13/roles/0/quota',
    );

    expect(await api.missionCount(org.orgId)).toBe(0);
    expect((await api.audit(org.orgId)).filter((a) => a.entity_type !== 'project')).toEqual([]);
  });

  it('repeats a template on dates in the org time zone across the spring DST change', async () => {
    const org = await createOrgFixture(ctx.app); // Europe/Paris
    const projectId = await api.project(org);
    const res = await bulk(org, projectId, {
      template: template(),
      dates: ['2026-03-29', '2026-03-28'],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ created: 2 });
    const missions = await fetchAll(org, res.json().ids);
    expect(missions.map((m) => [m.starts_at, m.ends_at])).toEqual([
      ['2026-03-28T17:00:00.000Z', '2026-03-28T22:30:00.000Z'], // CET, UTC+1
      ['2026-03-29T16:00:00.000Z', '2026-03-29T21:30:00.000Z'], // CEST, UTC+2
    ]);
    expect(missions[0]).toMatchObject({
      title: 'Evening show',
      location: 'Main stage',
      open_slots: 2,
      roles: [{ name: 'Sound', quota: 2, skill: 'sound', min_level: 2, accepted: 0, open_slots: 2 }],
    });
  });

  it('ends an overnight template the next day, an hour longer on the autumn DST night', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const res = await bulk(org, projectId, {
      template: template({ title: 'Get-out', start_time: '22:00', end_time: '04:00' }),
      dates: ['2026-10-23', '2026-10-24', '2026-10-25'],
    });
    expect(res.statusCode).toBe(201);
    const missions = await fetchAll(org, res.json().ids);
    expect(missions.map((m) => [m.starts_at, m.ends_at])).toEqual([
      ['2026-10-23T20:00:00.000Z', '2026-10-24T02:00:00.000Z'],
      ['2026-10-24T20:00:00.000Z', '2026-10-25T03:00:00.000Z'], // 7 hours: the clocks go back
      ['2026-10-25T21:00:00.000Z', '2026-10-26T03:00:00.000Z'],
    ]);
    const sameTime = await bulk(org, projectId, {
      template: template({ start_time: '08:00', end_time: '08:00' }),
      dates: ['2026-06-01'],
    });
    expect(sameTime.statusCode).toBe(201);
    const [day] = await fetchAll(org, sameTime.json().ids);
    expect([day!.starts_at, day!.ends_at]).toEqual(['2026-06-01T06:00:00.000Z', '2026-06-02T06:00:00.000Z']);
  });

  it('repeats a template on ISO weekdays between from and to (both included)', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const res = await bulk(org, projectId, {
      template: template({ start_time: '20:00', end_time: '23:00' }),
      from: '2026-03-23',
      to: '2026-04-05',
      weekdays: [6, 7],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().created).toBe(4);
    const missions = await fetchAll(org, res.json().ids);
    expect(missions.map((m) => m.starts_at)).toEqual([
      '2026-03-28T19:00:00.000Z', // Saturday, CET
      '2026-03-29T18:00:00.000Z', // Sunday, CEST from here on
      '2026-04-04T18:00:00.000Z',
      '2026-04-05T18:00:00.000Z',
    ]);
    const monday = await bulk(org, projectId, {
      template: template(),
      from: '2026-03-23',
      to: '2026-03-23',
      weekdays: [1],
    });
    expect(monday.statusCode).toBe(201);
    expect(monday.json().created).toBe(1);
  });

  it('uses the org’s own time zone', async () => {
    const org = await createOrgFixture(ctx.app);
    await ctx.app.database.db
      .updateTable('orgs')
      .set({ timezone: 'America/New_York' })
      .where('id', '=', org.orgId)
      .execute();
    const projectId = await api.project(org);
    const res = await bulk(org, projectId, {
      template: template({ start_time: '01:00', end_time: '04:00' }),
      dates: ['2026-03-07', '2026-03-08'],
    });
    expect(res.statusCode).toBe(201);
    const missions = await fetchAll(org, res.json().ids);
    expect(missions.map((m) => [m.starts_at, m.ends_at])).toEqual([
      ['2026-03-07T06:00:00.000Z', '2026-03-07T09:00:00.000Z'],
      ['2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z'], // EST → EDT at 02:00
    ]);
  });

  it('refuses more than 500 missions and malformed shapes with 400, inserting nothing', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const expect400 = async (payload: object, path?: string) => {
      const res = await bulk(org, projectId, payload);
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(body.errors.length).toBeGreaterThan(0);
      if (path) expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await expect400(
      { template: template(), from: '2026-01-01', to: '2027-12-31', weekdays: [1, 2, 3, 4, 5, 6, 7] },
      '/',
    );
    await expect400({ missions: Array.from({ length: 501 }, () => missionBody()) }, '/missions');
    await expect400({ missions: [] }, '/missions');
    await expect400({}, '/');
    await expect400({ template: template() }, '/');
    await expect400({ missions: [missionBody()], dates: ['2026-07-01'] }, '/');
    await expect400({ template: template(), dates: ['2026-07-01'], weekdays: [1] }, '/');
    await expect400({ template: template(), dates: ['2026-02-30'] }, '/dates/0');
    await expect400({ template: template(), dates: ['2026-07-01', '2026-07-01'] }, '/dates');
    await expect400(
      { template: template({ start_time: '24:00' }), dates: ['2026-07-01'] },
      '/template/start_time',
    );
    await expect400({ template: template(), from: '2026-07-10', to: '2026-07-01', weekdays: [1] }, '/to');
    await expect400(
      { template: template(), from: '2026-03-23', to: '2026-03-23', weekdays: [2] },
      '/weekdays',
    );
    await expect400(
      { template: template(), from: '2026-03-23', to: '2026-03-29', weekdays: [0] },
      '/weekdays/0',
    );
    await expect400({
      template: { ...template(), starts_at: '2026-07-01T00:00:00Z' },
      dates: ['2026-07-01'],
    });
    expect(await api.missionCount(org.orgId)).toBe(0);

    const exactly500 = await bulk(org, projectId, {
      template: template({ roles: [{ name: 'Crew', quota: 1 }] }),
      from: '2026-01-01',
      to: '2027-05-15',
      weekdays: [1, 2, 3, 4, 5, 6, 7],
    });
    expect(exactly500.statusCode).toBe(201);
    expect(exactly500.json().created).toBe(500);
    expect(new Set(exactly500.json().ids).size).toBe(500);
    expect(await api.missionCount(org.orgId)).toBe(500);
  });
});
