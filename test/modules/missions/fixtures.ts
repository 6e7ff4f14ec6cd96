import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestContext } from '../../helpers/app.js';
import type { Member, OrgFixture } from '../../helpers/factories.js';

export const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export interface ApiRole {
  id: string;
  name: string;
  quota: number;
  skill: string | null;
  min_level: number | null;
  accepted: number;
  open_slots: number;
}

export interface ApiMission {
  id: string;
  org_id: string;
  project_id: string;
  title: string;
  starts_at: string;
  ends_at: string;
  published: boolean;
  published_at: string | null;
  open_slots: number;
  roles: ApiRole[];
}

export const missionBody = (overrides: object = {}) => ({
  title: 'Load-in',
  starts_at: '2026-07-01T06:00:00.000Z',
  ends_at: '2026-07-01T12:00:00.000Z',
  location: 'Main stage',
  roles: [
    { name: 'Rigger', quota: 2, skill: 'rigging', min_level: 3 },
    { name: 'Stagehand', quota: 4 },
  ],
  ...overrides,
});

/** Shortcuts over app.inject for the mission tests. */
export function missionApi(ctx: TestContext) {
  const orgUrl = (org: OrgFixture) => `/api/v1/orgs/${org.orgId}`;
  const api = {
    orgUrl,
    async project(org: OrgFixture, payload: object = {}): Promise<string> {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `${orgUrl(org)}/projects`,
        headers: org.manager.headers,
        payload: { name: `Show ${randomUUID().slice(0, 8)}`, ...payload },
      });
      expect(res.statusCode).toBe(201);
      return res.json().id;
    },
    createMission(org: OrgFixture, projectId: string, payload: object, who: Member = org.manager) {
      return ctx.app.inject({
        method: 'POST',
        url: `${orgUrl(org)}/projects/${projectId}/missions`,
        headers: who.headers,
        payload,
      });
    },
    async mission(org: OrgFixture, projectId?: string, overrides: object = {}): Promise<ApiMission> {
      const project = projectId ?? (await api.project(org));
      const res = await api.createMission(org, project, missionBody(overrides));
      expect(res.statusCode).toBe(201);
      return res.json();
    },
    async published(org: OrgFixture, projectId?: string, overrides: object = {}): Promise<ApiMission> {
      const mission = await api.mission(org, projectId, overrides);
      const res = await api.call(org, 'POST', `/missions/${mission.id}/publish`);
      expect(res.statusCode).toBe(200);
      return res.json();
    },
    call(
      org: OrgFixture,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      path: string,
      payload?: object,
      who?: Member,
    ) {
      return ctx.app.inject({
        method,
        url: `${orgUrl(org)}${path}`,
        headers: (who ?? org.manager).headers,
        ...(payload === undefined ? {} : { payload }),
      });
    },
    audit(orgId: string, entityId?: string) {
      let query = ctx.app.database.db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
      if (entityId) query = query.where('entity_id', '=', entityId);
      return query.orderBy('created_at').orderBy('id').execute();
    },
    async archive(org: OrgFixture, projectId: string) {
      const res = await api.call(org, 'PATCH', `/projects/${projectId}`, { status: 'ARCHIVED' });
      expect(res.statusCode).toBe(200);
    },
    /** Simulates accepted assignments as the staffing module keeps them. */
    async setAccepted(roleId: string, accepted: number) {
      await ctx.app.database.db
        .updateTable('mission_roles')
        .set({ accepted_count: accepted })
        .where('id', '=', roleId)
        .execute();
    },
    /** A real ACCEPTED assignment row (with its crew member) on a role. */
    async acceptedAssignment(org: OrgFixture, missionId: string, roleId: string): Promise<string> {
      const { db } = ctx.app.database;
      const now = new Date().toISOString();
      const userId = randomUUID();
      await db
        .insertInto('users')
        .values({
          id: userId,
          org_id: org.orgId,
          account_id: null,
          first_name: 'Ada',
          last_name: 'Lovelace',
          email: null,
          phone: null,
          employment_type: 'INTERMITTENT',
          notes: null,
          active: true,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const id = randomUUID();
      await db
        .insertInto('assignments')
        .values({
          id,
          org_id: org.orgId,
          mission_id: missionId,
          role_id: roleId,
          user_id: userId,
          status: 'ACCEPTED',
          note: null,
          reason: null,
          invited_by: null,
          responded_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .updateTable('mission_roles')
        .set((eb) => ({ accepted_count: eb('accepted_count', '+', 1) }))
        .where('id', '=', roleId)
        .execute();
      return id;
    },
    async missionCount(orgId: string): Promise<number> {
      const row = await ctx.app.database.db
        .selectFrom('missions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
  return api;
}

export const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

export const withoutRequestId = (body: Record<string, unknown>) => {
  const { request_id: _, ...rest } = body;
  return rest;
};
