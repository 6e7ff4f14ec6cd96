import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS, racesCanHappen, RACES_ONLY_WHERE_POSSIBLE } from '../../helpers/database.js';
import { insertMembership } from '../../../src/modules/orgs/orgs.repository.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { staffingKit } from './fixtures.js';

for (const dialect of DIALECTS) {
  describe.runIf(racesCanHappen(dialect))(
    `staffing invariants under races on ${dialect} ${RACES_ONLY_WHERE_POSSIBLE}`,
    () => {
      const ctx = useTestApp(dialect);

      it('20 concurrent accepts on a quota-1 role: exactly one 200, the rest 409 role_full', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const { missionId, roleId } = await kit.mission(8, 16, { quota: 1 });
        const invites = [];
        for (let i = 0; i < 20; i++) invites.push({ user_id: await kit.user(), role_id: roleId });
        const created = (await kit.invite(org.manager.headers, missionId, { invites })).json().items as {
          id: string;
        }[];
        const results = await Promise.all(created.map((a) => kit.act(org.manager.headers, a.id, 'accept')));
        const statuses = results.map((r) => r.statusCode);
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        for (const r of results.filter((r) => r.statusCode !== 200)) {
          expect(r.statusCode).toBe(409);
          expect(r.json()).toMatchObject({ code: 'role_full' });
        }
        const role = await ctx.app.database.db
          .selectFrom('mission_roles')
          .select(['accepted_count', 'quota'])
          .where('id', '=', roleId)
          .executeTakeFirstOrThrow();
        expect(role).toEqual({ accepted_count: 1, quota: 1 });
        const accepted = await ctx.app.database.db
          .selectFrom('assignments')
          .select('id')
          .where('role_id', '=', roleId)
          .where('status', '=', 'ACCEPTED')
          .execute();
        expect(accepted).toHaveLength(1);
      });

      it('concurrent invites of one user to one mission: exactly one 201, the rest 409 assignment_exists', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const { missionId, roleId } = await kit.mission(8, 16);
        const user = await kit.user();
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId }),
          ),
        );
        expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
        for (const r of results.filter((r) => r.statusCode !== 201))
          expect(r.json()).toMatchObject({ status: 409, code: 'assignment_exists' });
      });

      it('a person is never ACCEPTED on two overlapping missions, even when both accepts race', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const user = await kit.user();
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const m = await kit.mission(8, 12 + i);
          ids.push(
            (await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId })).json()
              .id,
          );
        }
        const results = await Promise.all(ids.map((id) => kit.act(org.manager.headers, id, 'accept')));
        expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
        for (const r of results.filter((r) => r.statusCode !== 200)) {
          expect(r.statusCode).toBe(409);
          expect(r.json()).toMatchObject({
            code: 'rule_violation',
            reasons: expect.arrayContaining([
              expect.objectContaining({ rule: 'overlap_accepted', severity: 'block' }),
            ]),
          });
        }
      });

      it('one person accepting overlapping missions in two orgs at once: exactly one succeeds', async () => {
        for (let round = 0; round < 3; round++) {
          const home = await createOrgFixture(ctx.app);
          const other = await createOrgFixture(ctx.app);
          await insertMembership(ctx.app.database.db, other.orgId, home.tech.accountId, 'tech');
          const homeKit = staffingKit(ctx.app, home);
          const otherKit = staffingKit(ctx.app, other);
          const here = await homeKit.user({ accountId: home.tech.accountId });
          const there = await otherKit.user({ accountId: home.tech.accountId });
          const a = await homeKit.mission(8, 16);
          const b = await otherKit.mission(10, 14);
          const mine = (
            await homeKit.invite(home.manager.headers, a.missionId, { user_id: here, role_id: a.roleId })
          ).json().id;
          const theirs = (
            await otherKit.invite(other.manager.headers, b.missionId, { user_id: there, role_id: b.roleId })
          ).json().id;
          const results = await Promise.all([
            homeKit.act(home.manager.headers, mine, 'accept'),
            otherKit.act(other.manager.headers, theirs, 'accept'),
          ]);
          expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
          const refused = results.find((r) => r.statusCode === 409)!;
          expect(refused.json()).toMatchObject({
            code: 'rule_violation',
            reasons: [expect.objectContaining({ rule: 'busy_elsewhere', severity: 'block' })],
          });
        }
      });
    },
  );
}

describe.each(DIALECTS)('re-inviting on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('after DECLINED or CANCELLED the same person can be invited again', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16);
    const user = await kit.user();
    const first = (
      await kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId })
    ).json().id;
    expect(
      (await kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId })).statusCode,
    ).toBe(409);
    await kit.act(org.manager.headers, first, 'decline');
    const second = await kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId });
    expect(second.statusCode).toBe(201);
    await kit.act(org.manager.headers, second.json().id, 'cancel');
    expect(
      (await kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId })).statusCode,
    ).toBe(201);
  });
});
