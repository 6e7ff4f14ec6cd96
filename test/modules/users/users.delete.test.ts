import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AssignmentStatus } from '../../../src/platform/db/tables.js';
import { DAY, HOUR, isoIn, isoNow } from '../../../src/platform/clock.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { auditRowsOf, createUser, expectProblem, userUrl } from './helpers.js';

describe.each(DIALECTS)('crew roster delete on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  securitySuite(ctx, {
    method: 'DELETE',
    url: async (org) => userUrl(org, (await createUser(ctx.app, org)).id),
    minRole: 'admin',
  });

  /** A project, a mission from `startsAt` to `endsAt`, a role, and the user's assignment on it. */
  async function assign(
    orgId: string,
    userId: string,
    status: AssignmentStatus,
    startsAt: string,
    endsAt: string,
  ) {
    const { db } = ctx.app.database;
    const now = isoNow();
    const projectId = randomUUID();
    const missionId = randomUUID();
    const roleId = randomUUID();
    const assignmentId = randomUUID();
    await db
      .insertInto('projects')
      .values({
        id: projectId,
        org_id: orgId,
        name: `Tournée ${projectId.slice(0, 8)}`,
        description: null,
        status: 'ACTIVE',
        starts_at: null,
        ends_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('missions')
      .values({
        id: missionId,
        org_id: orgId,
        project_id: projectId,
        title: 'Montage',
        starts_at: startsAt,
        ends_at: endsAt,
        location: null,
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
        org_id: orgId,
        mission_id: missionId,
        name: 'Régie son',
        quota: 2,
        skill: null,
        min_level: null,
        accepted_count: status === 'ACCEPTED' ? 1 : 0,
        created_at: now,
      })
      .execute();
    await db
      .insertInto('assignments')
      .values({
        id: assignmentId,
        org_id: orgId,
        mission_id: missionId,
        role_id: roleId,
        user_id: userId,
        status,
        note: null,
        reason: null,
        invited_by: null,
        responded_at: status === 'INVITED' ? null : now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return assignmentId;
  }

  const remove = (org: { orgId: string; admin: { headers: Record<string, string> } }, id: string) =>
    ctx.app.inject({ method: 'DELETE', url: userUrl(org, id), headers: org.admin.headers });

  it('deletes the user with skills, tags, availability and past assignments, and audits it', async () => {
    const org = await createOrgFixture(ctx.app);
    const user = await createUser(ctx.app, org, {
      skills: [{ name: 'son', level: 3 }],
      tags: ['cariste'],
    });
    const keep = await createUser(ctx.app, org, { skills: [{ name: 'son', level: 1 }] });
    const past = await assign(org.orgId, user.id, 'ACCEPTED', isoIn(-2 * DAY), isoIn(-DAY));
    const declined = await assign(org.orgId, user.id, 'DECLINED', isoIn(DAY), isoIn(DAY + HOUR));
    const { db } = ctx.app.database;
    await db
      .insertInto('availability')
      .values({
        id: randomUUID(),
        org_id: org.orgId,
        user_id: user.id,
        starts_at: isoIn(DAY),
        ends_at: isoIn(2 * DAY),
        kind: 'UNAVAILABLE',
        note: null,
        created_at: isoNow(),
      })
      .execute();

    const res = await remove(org, user.id);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    const read = await ctx.app.inject({
      method: 'GET',
      url: userUrl(org, user.id),
      headers: org.admin.headers,
    });
    expectProblem(read, 404, 'not_found');
    const again = await remove(org, user.id);
    expectProblem(again, 404, 'not_found');

    for (const table of ['user_skills', 'user_tags', 'availability'] as const) {
      expect(await db.selectFrom(table).select('user_id').where('user_id', '=', user.id).execute()).toEqual(
        [],
      );
    }
    expect(
      await db.selectFrom('assignments').select('id').where('id', 'in', [past, declined]).execute(),
    ).toEqual([]);
    const others = await db
      .selectFrom('user_skills')
      .select(['name', 'level'])
      .where('user_id', '=', keep.id)
      .execute();
    expect(others).toEqual([{ name: 'son', level: 1 }]);

    const audit = await auditRowsOf(ctx.app, org.orgId, user.id);
    expect(audit.find((a) => a.action === 'user.delete')).toMatchObject({
      entity_type: 'user',
      actor_account_id: org.admin.accountId,
      before: user,
      after: null,
      request_id: res.headers['x-request-id'],
    });
  });

  it.each([
    ['a mission still to come', isoIn(DAY), isoIn(DAY + 4 * HOUR)],
    ['a mission under way', isoIn(-HOUR), isoIn(HOUR)],
  ])('answers 409 in_use for an accepted assignment on %s, and deletes nothing', async (_case, from, to) => {
    const org = await createOrgFixture(ctx.app);
    const user = await createUser(ctx.app, org, { skills: [{ name: 'son', level: 3 }] });
    await assign(org.orgId, user.id, 'ACCEPTED', from, to);
    const res = await remove(org, user.id);
    const body = expectProblem(res, 409, 'in_use');
    expect(body.detail).toBe(
      'This user has 1 accepted assignment(s) on missions that have not ended: deactivate the user instead ' +
        '(PATCH with "active": false)',
    );
    expect(body.upcoming_assignments).toBe(1);

    const read = await ctx.app.inject({
      method: 'GET',
      url: userUrl(org, user.id),
      headers: org.admin.headers,
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(user);
    const audit = await auditRowsOf(ctx.app, org.orgId, user.id);
    expect(audit.map((a) => a.action)).toEqual(['user.create']);

    // deactivating is the way out, and it does not lift the protection
    const deactivate = await ctx.app.inject({
      method: 'PATCH',
      url: userUrl(org, user.id),
      headers: org.admin.headers,
      payload: { active: false },
    });
    expect(deactivate.statusCode).toBe(200);
    expect(deactivate.json()).toMatchObject({ id: user.id, active: false });
    expectProblem(await remove(org, user.id), 409, 'in_use');
  });

  it('deletes a user whose future assignments are only invited, declined or cancelled', async () => {
    const org = await createOrgFixture(ctx.app);
    const user = await createUser(ctx.app, org);
    for (const status of ['INVITED', 'DECLINED', 'CANCELLED'] as const) {
      await assign(org.orgId, user.id, status, isoIn(DAY), isoIn(DAY + HOUR));
    }
    const res = await remove(org, user.id);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });

  it('is not blocked by another user’s accepted assignments', async () => {
    const org = await createOrgFixture(ctx.app);
    const busy = await createUser(ctx.app, org);
    const free = await createUser(ctx.app, org);
    await assign(org.orgId, busy.id, 'ACCEPTED', isoIn(DAY), isoIn(DAY + HOUR));
    expect((await remove(org, free.id)).statusCode).toBe(204);
    expectProblem(await remove(org, busy.id), 409, 'in_use');
  });

  it('lets the owner delete, and answers 400 for a malformed id', async () => {
    const org = await createOrgFixture(ctx.app);
    const user = await createUser(ctx.app, org);
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: userUrl(org, user.id),
      headers: org.owner.headers,
    });
    expect(res.statusCode).toBe(204);
    const bad = await remove(org, '12345');
    expect(expectProblem(bad, 400, 'validation_failed').errors).toEqual([
      { location: 'params', path: '/user_id', message: expect.any(String) },
    ]);
  });
});
