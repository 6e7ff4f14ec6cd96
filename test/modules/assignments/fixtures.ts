import type { FastifyInstance } from 'fastify';
import { newId, isoNow } from '../../../src/platform/clock.js';
import type { OrgFixture } from '../../helpers/factories.js';

const HOUR = 3600_000;
/** A fixed Monday far enough in the future that nothing else in the org is near it. */
export const BASE = Date.parse('2031-03-03T00:00:00.000Z');
export const at = (hours: number) => new Date(BASE + hours * HOUR).toISOString();

/** Inserts a project once per org and missions with one role each, straight through the data layer. */
export function staffingKit(app: FastifyInstance, org: OrgFixture) {
  const { db } = app.database;
  let projectId: string | undefined;
  const project = async () => {
    if (projectId) return projectId;
    projectId = newId();
    const now = isoNow();
    await db
      .insertInto('projects')
      .values({
        id: projectId,
        org_id: org.orgId,
        name: `Show ${projectId}`,
        description: null,
        status: 'ACTIVE',
        starts_at: null,
        ends_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return projectId;
  };
  /** A mission `[startsAt, endsAt)` (UTC ISO) with one role; `acceptedCount` for fixtures that insert assignments. */
  const missionBetween = async (
    startsAt: string,
    endsAt: string,
    opts: {
      quota?: number;
      skill?: string;
      minLevel?: number;
      title?: string;
      role?: string;
      acceptedCount?: number;
    } = {},
  ) => {
    const now = isoNow();
    const id = newId();
    const roleId = newId();
    await db
      .insertInto('missions')
      .values({
        id,
        org_id: org.orgId,
        project_id: await project(),
        title: opts.title ?? 'Show',
        starts_at: startsAt,
        ends_at: endsAt,
        location: 'Lyon',
        notes: null,
        published_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('mission_roles')
      .values({
        id: roleId,
        org_id: org.orgId,
        mission_id: id,
        name: opts.role ?? 'Rigger',
        quota: opts.quota ?? 2,
        skill: opts.skill ?? null,
        min_level: opts.minLevel ?? null,
        accepted_count: opts.acceptedCount ?? 0,
        created_at: now,
      })
      .execute();
    return { missionId: id, roleId };
  };
  return {
    project,
    missionBetween,
    mission: (
      fromHour: number,
      toHour: number,
      opts: { quota?: number; skill?: string; minLevel?: number; title?: string } = {},
    ) => missionBetween(at(fromHour), at(toHour), { title: `Mission ${fromHour}`, ...opts }),
    async user(
      opts: {
        accountId?: string;
        active?: boolean;
        first?: string;
        last?: string;
        employment?: 'INTERMITTENT' | 'CDI';
        skills?: [string, number][];
      } = {},
    ) {
      const now = isoNow();
      const id = newId();
      await db
        .insertInto('users')
        .values({
          id,
          org_id: org.orgId,
          account_id: opts.accountId ?? null,
          first_name: opts.first ?? 'Crew',
          last_name: opts.last ?? id.slice(0, 8),
          email: null,
          phone: null,
          employment_type: opts.employment ?? 'INTERMITTENT',
          notes: null,
          active: opts.active ?? true,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const [name, level] of opts.skills ?? [])
        await db.insertInto('user_skills').values({ org_id: org.orgId, user_id: id, name, level }).execute();
      return id;
    },
    invite: (headers: Record<string, string>, missionId: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/missions/${missionId}/assignments`,
        headers,
        payload,
      }),
    act: (
      headers: Record<string, string>,
      assignmentId: string,
      action: 'accept' | 'decline' | 'cancel',
      payload?: object,
    ) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/${action}`,
        headers,
        ...(payload ? { payload } : {}),
      }),
  };
}
