import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { ISO_Z, json, missionApi, missionBody, withoutRequestId } from './fixtures.js';

describe.each(DIALECTS)('missions on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const api = missionApi(ctx);
  const orgUrl = api.orgUrl;

  // ---- security suite, one per route ----
  const withProject = async (org: OrgFixture) => `${orgUrl(org)}/projects/${await api.project(org)}`;
  const withMission = async (org: OrgFixture) => `${orgUrl(org)}/missions/${(await api.mission(org)).id}`;
  const withRole = async (org: OrgFixture) => {
    const mission = await api.mission(org);
    return `${orgUrl(org)}/missions/${mission.id}/roles/${mission.roles[0]!.id}`;
  };
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => `${await withProject(org)}/missions`,
    minRole: 'manager',
    body: missionBody(),
  });
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => `${await withProject(org)}/missions/bulk`,
    minRole: 'manager',
    body: { missions: [missionBody()] },
  });
  securitySuite(ctx, { method: 'GET', url: (org) => `${orgUrl(org)}/missions`, minRole: 'tech' });
  securitySuite(ctx, { method: 'GET', url: withMission, minRole: 'tech' });
  securitySuite(ctx, { method: 'PATCH', url: withMission, minRole: 'manager', body: { title: 'X' } });
  securitySuite(ctx, { method: 'DELETE', url: withMission, minRole: 'manager' });
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => `${await withMission(org)}/duplicate`,
    minRole: 'manager',
    body: { starts_at: '2026-08-01T06:00:00Z' },
  });
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => `${await withMission(org)}/publish`,
    minRole: 'manager',
  });
  securitySuite(ctx, {
    method: 'POST',
    url: async (org) => `${await withMission(org)}/roles`,
    minRole: 'manager',
    body: { name: 'Light', quota: 1 },
  });
  securitySuite(ctx, { method: 'PATCH', url: withRole, minRole: 'manager', body: { quota: 3 } });
  securitySuite(ctx, { method: 'DELETE', url: withRole, minRole: 'manager' });

  it('creates a mission with roles and open slots, and audits it', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const res = await api.createMission(
      org,
      projectId,
      missionBody({ title: '  Load-in  ', starts_at: '2026-07-01T08:00:00+02:00', notes: 'Gloves' }),
    );
    expect(res.statusCode).toBe(201);
    const mission = res.json();
    expect(mission).toEqual({
      id: expect.any(String),
      org_id: org.orgId,
      project_id: projectId,
      title: 'Load-in',
      starts_at: '2026-07-01T06:00:00.000Z',
      ends_at: '2026-07-01T12:00:00.000Z',
      location: 'Main stage',
      notes: 'Gloves',
      published: false,
      published_at: null,
      open_slots: 6,
      roles: expect.arrayContaining([
        {
          id: expect.any(String),
          name: 'Rigger',
          quota: 2,
          skill: 'rigging',
          min_level: 3,
          accepted: 0,
          open_slots: 2,
        },
        {
          id: expect.any(String),
          name: 'Stagehand',
          quota: 4,
          skill: null,
          min_level: null,
          accepted: 0,
          open_slots: 4,
        },
      ]),
      created_at: expect.stringMatching(ISO_Z),
      updated_at: expect.stringMatching(ISO_Z),
    });
    expect(mission.roles).toHaveLength(2);

    const get = await api.call(org, 'GET', `/missions/${mission.id}`);
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(mission);

    const audit = await api.audit(org.orgId, mission.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'mission.create',
      entity_type: 'mission',
      actor_account_id: org.manager.accountId,
    });
    expect(json(audit[0]!.after)).toEqual(mission);
  });

  it('rejects invalid missions with 400 and errors[], writing nothing', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const cases: [object, string][] = [
      [missionBody({ ends_at: '2026-07-01T06:00:00.000Z' }), '/ends_at'],
      [missionBody({ ends_at: '2026-07-01T05:00:00.000Z' }), '/ends_at'],
      [missionBody({ ends_at: '2026-08-15T05:00:00.000Z' }), '/ends_at'],
      [missionBody({ roles: [] }), '/roles'],
      [missionBody({ roles: [{ name: 'Rigger', quota: 0 }] }), '/roles/0/quota'],
      [missionBody({ roles: [{ name: 'Rigger', quota: 1, min_level: 6 }] }), '/roles/0/min_level'],
      [missionBody({ roles: [{ name: 'Rigger', quota: 1, colour: 'red' }] }), '/roles/0'],
      [missionBody({ title: '' }), '/title'],
      [missionBody({ starts_at: 'soon' }), '/starts_at'],
      [{ ...missionBody(), extra: true }, '/'],
    ];
    for (const [payload, path] of cases) {
      const res = await api.createMission(org, projectId, payload);
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await api.missionCount(org.orgId)).toBe(0);
  });

  it('hides unpublished missions from a tech and publishes idempotently', async () => {
    const org = await createOrgFixture(ctx.app);
    const mission = await api.mission(org);

    const hidden = await api.call(org, 'GET', `/missions/${mission.id}`, undefined, org.tech);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ code: 'not_found', detail: 'Mission not found' });
    const list = await api.call(org, 'GET', '/missions', undefined, org.tech);
    expect(list.json()).toEqual({ items: [], next_cursor: null });

    const published = await api.call(org, 'POST', `/missions/${mission.id}/publish`);
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({
      id: mission.id,
      published: true,
      published_at: expect.stringMatching(ISO_Z),
      open_slots: 6,
    });
    const again = await api.call(org, 'POST', `/missions/${mission.id}/publish`);
    expect(again.statusCode).toBe(200);
    expect(again.json().published_at).toBe(published.json().published_at);

    const seen = await api.call(org, 'GET', `/missions/${mission.id}`, undefined, org.tech);
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toEqual(published.json());
    const techList = await api.call(org, 'GET', '/missions?published=false', undefined, org.tech);
    expect(techList.json()).toEqual({ items: [], next_cursor: null });

    const audit = await api.audit(org.orgId, mission.id);
    expect(audit.map((a) => a.action)).toEqual(['mission.create', 'mission.publish']);
    expect(json(audit[1]!.after)).toEqual({ published_at: published.json().published_at });
  });

  it('updates a mission, checks times against the stored ones, and audits before/after', async () => {
    const org = await createOrgFixture(ctx.app);
    const mission = await api.mission(org);
    const res = await api.call(org, 'PATCH', `/missions/${mission.id}`, {
      title: 'Get-out',
      ends_at: '2026-07-01T14:00:00+02:00',
      location: null,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: mission.id,
      title: 'Get-out',
      starts_at: '2026-07-01T06:00:00.000Z',
      ends_at: '2026-07-01T12:00:00.000Z',
      location: null,
      open_slots: 6,
    });
    expect(res.json().roles).toHaveLength(2);

    const backwards = await api.call(org, 'PATCH', `/missions/${mission.id}`, {
      starts_at: '2026-07-01T13:00:00Z',
    });
    // One new date against the stored other: a conflict with the mission's state (issue 12), not a bad body.
    expect(backwards.statusCode).toBe(409);
    expect(backwards.json()).toMatchObject({ code: 'dates_conflict', errors: [{ path: '/ends_at' }] });
    const unknown = await api.call(org, 'PATCH', `/missions/${mission.id}`, { roles: [] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'validation_failed' });

    const audit = await api.audit(org.orgId, mission.id);
    expect(audit.map((a) => a.action)).toEqual(['mission.create', 'mission.update']);
    expect(json(audit[1]!.before)).toMatchObject({ title: 'Load-in', location: 'Main stage' });
    expect(json(audit[1]!.after)).toMatchObject({ title: 'Get-out', location: null });
  });

  it('deletes a mission unless it has accepted assignments', async () => {
    const org = await createOrgFixture(ctx.app);
    const mission = await api.mission(org);
    await api.acceptedAssignment(org, mission.id, mission.roles[0]!.id);
    const refused = await api.call(org, 'DELETE', `/missions/${mission.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'in_use', detail: expect.stringContaining('cancel it') });

    const free = await api.mission(org);
    const res = await api.call(org, 'DELETE', `/missions/${free.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const gone = await api.call(org, 'GET', `/missions/${free.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'not_found' });
    const audit = await api.audit(org.orgId, free.id);
    expect(audit.map((a) => a.action)).toEqual(['mission.create', 'mission.delete']);
    expect(json(audit[1]!.before)).toMatchObject({ id: free.id, title: 'Load-in' });
    expect(
      await ctx.app.database.db
        .selectFrom('mission_roles')
        .select('id')
        .where('mission_id', '=', free.id)
        .execute(),
    ).toEqual([]);
  });

  it('duplicates a mission with the same duration and fresh, unpublished roles', async () => {
    const org = await createOrgFixture(ctx.app);
    const source = await api.published(org);
    await api.setAccepted(source.roles[0]!.id, 2);
    const res = await api.call(org, 'POST', `/missions/${source.id}/duplicate`, {
      starts_at: '2026-07-08T09:30:00+02:00',
    });
    expect(res.statusCode).toBe(201);
    const copy = res.json();
    expect(copy).toMatchObject({
      project_id: source.project_id,
      title: source.title,
      location: 'Main stage',
      starts_at: '2026-07-08T07:30:00.000Z',
      ends_at: '2026-07-08T13:30:00.000Z',
      published: false,
      published_at: null,
      open_slots: 6,
    });
    expect(copy.id).not.toBe(source.id);
    expect(copy.roles.map((r: { name: string; accepted: number }) => [r.name, r.accepted]).sort()).toEqual([
      ['Rigger', 0],
      ['Stagehand', 0],
    ]);
    expect(copy.roles.map((r: { id: string }) => r.id)).not.toContain(source.roles[0]!.id);
    const audit = await api.audit(org.orgId, copy.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'mission.duplicate', entity_type: 'mission' });
    expect(json(audit[0]!.after)).toMatchObject({ id: copy.id, duplicated_from: source.id });

    const bad = await api.call(org, 'POST', `/missions/${source.id}/duplicate`, {});
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ message: '"starts_at" is required' }],
    });
  });

  it('adds, changes and removes roles with open slots, conflicts and audit rows', async () => {
    const org = await createOrgFixture(ctx.app);
    const mission = await api.mission(org);
    const add = await api.call(org, 'POST', `/missions/${mission.id}/roles`, {
      name: 'Light',
      quota: 3,
      skill: 'lighting',
      min_level: 2,
    });
    expect(add.statusCode).toBe(201);
    const role = add.json();
    expect(role).toEqual({
      id: expect.any(String),
      name: 'Light',
      quota: 3,
      skill: 'lighting',
      min_level: 2,
      accepted: 0,
      open_slots: 3,
    });

    await api.setAccepted(role.id, 2);
    const view = await api.call(org, 'GET', `/missions/${mission.id}`);
    expect(view.json().open_slots).toBe(6 + 1);
    expect(view.json().roles.find((r: { id: string }) => r.id === role.id)).toMatchObject({
      accepted: 2,
      open_slots: 1,
    });

    const tooLow = await api.call(org, 'PATCH', `/missions/${mission.id}/roles/${role.id}`, { quota: 1 });
    expect(tooLow.statusCode).toBe(409);
    expect(tooLow.json()).toMatchObject({ code: 'quota_below_accepted' });
    const ok = await api.call(org, 'PATCH', `/missions/${mission.id}/roles/${role.id}`, {
      quota: 2,
      skill: null,
      min_level: null,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      ...role,
      quota: 2,
      skill: null,
      min_level: null,
      accepted: 2,
      open_slots: 0,
    });

    const invalid = await api.call(org, 'PATCH', `/missions/${mission.id}/roles/${role.id}`, { quota: 0 });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/quota' }] });

    await api.acceptedAssignment(org, mission.id, mission.roles[0]!.id);
    const inUse = await api.call(org, 'DELETE', `/missions/${mission.id}/roles/${mission.roles[0]!.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'in_use' });

    const stagehand = mission.roles.find((r) => r.name === 'Stagehand')!;
    const del = await api.call(org, 'DELETE', `/missions/${mission.id}/roles/${stagehand.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const after = await api.call(org, 'GET', `/missions/${mission.id}`);
    expect(
      after
        .json()
        .roles.map((r: { name: string }) => r.name)
        .sort(),
    ).toEqual(['Light', 'Rigger']);
    expect(after.json().open_slots).toBe(1 + 0);

    const audit = await api.audit(org.orgId);
    const roleRows = audit.filter((a) => a.entity_type === 'mission_role');
    expect(roleRows.map((a) => [a.action, a.entity_id])).toEqual([
      ['role.create', role.id],
      ['role.update', role.id],
      ['role.delete', stagehand.id],
    ]);
    expect(json(roleRows[1]!.before)).toMatchObject({ quota: 3, skill: 'lighting' });
    expect(json(roleRows[1]!.after)).toMatchObject({ quota: 2, skill: null, mission_id: mission.id });

    const missing = await api.call(org, 'PATCH', `/missions/${mission.id}/roles/${randomUUID()}`, {
      quota: 2,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found', detail: 'Role not found' });
    const other = await api.mission(org);
    const wrongMission = await api.call(org, 'DELETE', `/missions/${other.id}/roles/${role.id}`);
    expect(wrongMission.statusCode).toBe(404);
    expect(wrongMission.json()).toMatchObject({ code: 'not_found' });
  });

  it('refuses every change below an archived project with 409 project_archived', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const mission = await api.mission(org, projectId);
    await api.archive(org, projectId);
    const role = mission.roles[0]!.id;
    const attempts: [string, string, object | undefined][] = [
      ['POST', `/projects/${projectId}/missions`, missionBody()],
      ['POST', `/projects/${projectId}/missions/bulk`, { missions: [missionBody()] }],
      ['PATCH', `/missions/${mission.id}`, { title: 'X' }],
      ['DELETE', `/missions/${mission.id}`, undefined],
      ['POST', `/missions/${mission.id}/duplicate`, { starts_at: '2026-09-01T00:00:00Z' }],
      ['POST', `/missions/${mission.id}/publish`, undefined],
      ['POST', `/missions/${mission.id}/roles`, { name: 'Light', quota: 1 }],
      ['PATCH', `/missions/${mission.id}/roles/${role}`, { quota: 5 }],
      ['DELETE', `/missions/${mission.id}/roles/${role}`, undefined],
    ];
    for (const [method, path, payload] of attempts) {
      const res = await api.call(org, method as 'POST', path, payload);
      expect(res.statusCode, `${method} ${path}`).toBe(409);
      expect(res.json()).toMatchObject({ code: 'project_archived' });
    }
    const read = await api.call(org, 'GET', `/missions/${mission.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: mission.id, title: 'Load-in' });
    expect(await api.missionCount(org.orgId)).toBe(1);
  });

  it('answers 404 for another org’s project, mission and role exactly like random ids', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const theirs = await api.published(other);
    const theirRole = theirs.roles[0]!.id;
    const mine = await api.mission(org);
    const routes = (projectId: string, missionId: string, roleId: string): [string, string, object?][] => [
      ['POST', `/projects/${projectId}/missions`, missionBody()],
      ['POST', `/projects/${projectId}/missions/bulk`, { missions: [missionBody()] }],
      ['GET', `/missions/${missionId}`],
      ['PATCH', `/missions/${missionId}`, { title: 'X' }],
      ['DELETE', `/missions/${missionId}`],
      ['POST', `/missions/${missionId}/duplicate`, { starts_at: '2026-09-01T00:00:00Z' }],
      ['POST', `/missions/${missionId}/publish`],
      ['POST', `/missions/${missionId}/roles`, { name: 'Light', quota: 1 }],
      ['PATCH', `/missions/${missionId}/roles/${roleId}`, { quota: 5 }],
      ['DELETE', `/missions/${missionId}/roles/${roleId}`],
      // another org's role under my mission
      ['PATCH', `/missions/${mine.id}/roles/${roleId}`, { quota: 5 }],
    ];
    const foreign = routes(theirs.project_id, theirs.id, theirRole);
    const random = routes(randomUUID(), randomUUID(), randomUUID());
    for (let i = 0; i < foreign.length; i++) {
      const [method, path, payload] = foreign[i]!;
      const a = await api.call(org, method as 'POST', path, payload, org.owner);
      const b = await api.call(org, method as 'POST', random[i]![1], payload, org.owner);
      expect(a.statusCode, `${method} ${path}`).toBe(404);
      expect(b.statusCode).toBe(404);
      expect(withoutRequestId(a.json())).toEqual(withoutRequestId(b.json()));
      expect(a.json()).toMatchObject({ code: 'not_found' });
    }
    const list = await api.call(org, 'GET', `/missions?project_id=${theirs.project_id}`);
    expect(list.json()).toEqual({ items: [], next_cursor: null });
    const malformed = await api.call(org, 'GET', '/missions/123');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'validation_failed', errors: [{ location: 'params' }] });
    // nothing of theirs changed
    const still = await api.call(other, 'GET', `/missions/${theirs.id}`);
    expect(still.json()).toEqual(theirs);
  });
});
