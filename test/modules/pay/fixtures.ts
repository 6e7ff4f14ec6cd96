import type { FastifyInstance } from 'fastify';
import { isoNow, newId } from '../../../src/platform/clock.js';
import type { OrgFixture } from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

/**
 * Missions, people and ACCEPTED assignments for hours-and-pay tests, straight through the data layer (the
 * behaviour under test is reached through HTTP).
 */
export function payKit(app: FastifyInstance, org: OrgFixture) {
  const { db } = app.database;
  const staffing = staffingKit(app, org);
  const kit = {
    project: staffing.project,
    user: (
      opts: { accountId?: string; first?: string; last?: string; employment?: 'INTERMITTENT' | 'CDI' } = {},
    ) => staffing.user({ first: 'Camille', ...opts }),
    /** An assignment of `userId` on a new mission `[start, end)` (UTC ISO), ACCEPTED unless said otherwise. */
    async engagement(
      userId: string,
      start: string,
      end: string,
      opts: { role?: string; status?: 'ACCEPTED' | 'INVITED'; title?: string } = {},
    ) {
      const now = isoNow();
      const assignmentId = newId();
      const accepted = (opts.status ?? 'ACCEPTED') === 'ACCEPTED';
      const { missionId, roleId } = await staffing.missionBetween(start, end, {
        quota: 5,
        acceptedCount: accepted ? 1 : 0,
        ...(opts.title === undefined ? {} : { title: opts.title }),
        ...(opts.role === undefined ? {} : { role: opts.role }),
      });
      await db
        .insertInto('assignments')
        .values({
          id: assignmentId,
          org_id: org.orgId,
          mission_id: missionId,
          role_id: roleId,
          user_id: userId,
          status: opts.status ?? 'ACCEPTED',
          note: null,
          reason: null,
          invited_by: null,
          responded_at: accepted ? now : null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { assignmentId, missionId, roleId };
    },
    sheet: (headers: Record<string, string>, assignmentId: string, payload?: object) =>
      app.inject({
        method: payload ? 'PUT' : 'GET',
        url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/timesheet`,
        headers,
        ...(payload ? { payload } : {}),
      }),
    move: (headers: Record<string, string>, assignmentId: string, action: string, payload?: object) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/timesheet/${action}`,
        headers,
        ...(payload ? { payload } : {}),
      }),
    get: (headers: Record<string, string>, path: string) =>
      app.inject({ method: 'GET', url: `/api/v1/orgs/${org.orgId}${path}`, headers }),
    send: (
      headers: Record<string, string>,
      method: 'POST' | 'PATCH' | 'DELETE',
      path: string,
      payload?: object,
    ) =>
      app.inject({
        method,
        url: `/api/v1/orgs/${org.orgId}${path}`,
        headers,
        ...(payload ? { payload } : {}),
      }),
    /** Enters, submits and approves a timesheet as the org's manager. */
    async approve(assignmentId: string, payload: object = {}) {
      const saved = await kit.sheet(org.manager.headers, assignmentId, payload);
      if (saved.statusCode !== 200) throw new Error(saved.body);
      await kit.move(org.manager.headers, assignmentId, 'submit');
      const approved = await kit.move(org.manager.headers, assignmentId, 'approve');
      if (approved.statusCode !== 200) throw new Error(approved.body);
      return approved.json();
    },
  };
  return kit;
}
