import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS, racesCanHappen, RACES_ONLY_WHERE_POSSIBLE } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { at, staffingKit } from '../assignments/fixtures.js';

/** Enough tries to catch an interleaving that lost 29 of 30 before the fix, few enough to stay in seconds. */
const TRIES = 25;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const overlaps = (a: { starts_at: string; ends_at: string }, b: { starts_at: string; ends_at: string }) =>
  a.starts_at < b.ends_at && b.starts_at < a.ends_at;

for (const dialect of DIALECTS) {
  describe.runIf(racesCanHappen(dialect))(
    `check-then-write races on ${dialect} ${RACES_ONLY_WHERE_POSSIBLE}`,
    () => {
      const ctx = useTestApp(dialect);

      it('an accept racing a move of its mission never leaves the person on two overlapping missions', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const h = org.manager.headers;
        for (let i = 0; i < TRIES; i++) {
          const base = i * 100;
          const user = await kit.user();
          const held = await kit.mission(base + 8, base + 12);
          const heldId = (await kit.invite(h, held.missionId, { user_id: user, role_id: held.roleId })).json()
            .id;
          expect((await kit.act(h, heldId, 'accept')).statusCode).toBe(200);
          // Far enough from the held mission that no rest rule refuses the accept before the move.
          const moving = await kit.mission(base + 30, base + 34);
          const invited = (
            await kit.invite(h, moving.missionId, { user_id: user, role_id: moving.roleId })
          ).json().id;

          // The move starts a moment after the accept (0–4 ms, varying): the accept has read the mission.
          const [accept, move] = await Promise.all([
            kit.act(h, invited, 'accept'),
            pause(i % 5).then(() =>
              ctx.app.inject({
                method: 'PATCH',
                url: `/api/v1/orgs/${org.orgId}/missions/${moving.missionId}`,
                headers: h,
                payload: { starts_at: at(base + 10), ends_at: at(base + 14) },
              }),
            ),
          ]);
          const statuses = [accept.statusCode, move.statusCode];
          expect(statuses.sort()).toEqual([200, 409]);
          if (accept.statusCode === 409) expect(accept.json()).toMatchObject({ code: 'rule_violation' });
          else expect(move.json()).toMatchObject({ code: 'reschedule_conflict' });

          const accepted = await ctx.app.database.db
            .selectFrom('assignments as a')
            .innerJoin('missions as m', 'm.id', 'a.mission_id')
            .select(['m.starts_at', 'm.ends_at'])
            .where('a.user_id', '=', user)
            .where('a.status', '=', 'ACCEPTED')
            .execute();
          const [first, second] = accepted;
          if (first && second) expect(overlaps(first, second)).toBe(false);
        }
      });

      it('two date PATCHes of one mission that are each valid but not together: one 200, one 409 dates_conflict, never 500', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const url = (id: string) => `/api/v1/orgs/${org.orgId}/missions/${id}`;
        for (let i = 0; i < TRIES; i++) {
          const { missionId } = await kit.mission(8, 16);
          const results = await Promise.all([
            ctx.app.inject({
              method: 'PATCH',
              url: url(missionId),
              headers: org.manager.headers,
              payload: { starts_at: at(14) },
            }),
            ctx.app.inject({
              method: 'PATCH',
              url: url(missionId),
              headers: org.manager.headers,
              payload: { ends_at: at(10) },
            }),
          ]);
          expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
          expect(results.find((r) => r.statusCode === 409)!.json()).toMatchObject({
            code: 'dates_conflict',
          });
        }
      });

      it('two date PATCHes of one project that are each valid but not together: one 200, one 409 dates_conflict, never 500', async () => {
        const org = await createOrgFixture(ctx.app);
        const url = (id: string) => `/api/v1/orgs/${org.orgId}/projects/${id}`;
        for (let i = 0; i < TRIES; i++) {
          const created = await ctx.app.inject({
            method: 'POST',
            url: `/api/v1/orgs/${org.orgId}/projects`,
            headers: org.manager.headers,
            payload: {
              name: `Tour ${i}`,
              starts_at: '2031-05-01T00:00:00.000Z',
              ends_at: '2031-05-20T00:00:00.000Z',
            },
          });
          expect(created.statusCode).toBe(201);
          const id = created.json().id as string;
          const results = await Promise.all([
            ctx.app.inject({
              method: 'PATCH',
              url: url(id),
              headers: org.manager.headers,
              payload: { starts_at: '2031-05-15T00:00:00.000Z' },
            }),
            ctx.app.inject({
              method: 'PATCH',
              url: url(id),
              headers: org.manager.headers,
              payload: { ends_at: '2031-05-05T00:00:00.000Z' },
            }),
          ]);
          expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
          expect(results.find((r) => r.statusCode === 409)!.json()).toMatchObject({
            code: 'dates_conflict',
          });
        }
      });

      it('an accept racing a quota cut: the role never holds more accepted than its quota', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const h = org.manager.headers;
        for (let i = 0; i < TRIES; i++) {
          const base = i * 48;
          const { missionId, roleId } = await kit.mission(base + 8, base + 12, { quota: 2 });
          const [a, b] = [await kit.user(), await kit.user()];
          const items = (
            await kit.invite(h, missionId, {
              invites: [
                { user_id: a, role_id: roleId },
                { user_id: b, role_id: roleId },
              ],
            })
          ).json().items as { id: string }[];
          expect((await kit.act(h, items[0]!.id, 'accept')).statusCode).toBe(200);
          const [accept, cut] = await Promise.all([
            kit.act(h, items[1]!.id, 'accept'),
            ctx.app.inject({
              method: 'PATCH',
              url: `/api/v1/orgs/${org.orgId}/missions/${missionId}/roles/${roleId}`,
              headers: h,
              payload: { quota: 1 },
            }),
          ]);
          expect([accept.statusCode, cut.statusCode].sort()).toEqual([200, 409]);
          const refusal = (accept.statusCode === 409 ? accept : cut).json();
          expect(refusal.code).toBe(accept.statusCode === 409 ? 'role_full' : 'quota_below_accepted');
        }
      });

      it('an accept racing a deactivation answers 200 (it went first) or 409 user_inactive, never 500', async () => {
        const org = await createOrgFixture(ctx.app);
        const kit = staffingKit(ctx.app, org);
        const h = org.manager.headers;
        for (let i = 0; i < TRIES; i++) {
          const base = i * 48;
          const user = await kit.user();
          const m = await kit.mission(base + 8, base + 12);
          const id = (await kit.invite(h, m.missionId, { user_id: user, role_id: m.roleId })).json().id;
          const [accept, deactivate] = await Promise.all([
            kit.act(h, id, 'accept'),
            ctx.app.inject({
              method: 'PATCH',
              url: `/api/v1/orgs/${org.orgId}/users/${user}`,
              headers: org.admin.headers,
              payload: { active: false },
            }),
          ]);
          expect(deactivate.statusCode).toBe(200);
          if (accept.statusCode !== 200) {
            expect(accept.statusCode).toBe(409);
            expect(accept.json()).toMatchObject({ code: 'user_inactive' });
          }
        }
      });
    },
  );
}
