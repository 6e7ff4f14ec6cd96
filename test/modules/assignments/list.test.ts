import { describe, expect, it } from 'vitest';
import { assignmentListQuery } from '../../../src/modules/assignments/assignments.repository.js';
import { recomputeLongestMission } from '../../../src/modules/staffing/month-minutes.repository.js';
import { trustedOrgId } from '../../../src/platform/auth/org-scope.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { queryPlan } from '../../helpers/query-plan.js';
import { at, staffingKit } from './fixtures.js';

/** The org's assignment list (`GET …/assignments`) without a mission or a person: read mission by mission. */
describe.each(DIALECTS)('the org’s assignment list on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const get = (org: OrgFixture, query = '') =>
    ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/assignments${query ? `?${query}` : ''}`,
      headers: org.manager.headers,
    });
  type Item = { id: string; mission_id: string; status: string };

  /**
   * Three missions (a 3-day one first), three people invited to each, the n-th person accepted on the n-th
   * mission but the first (a 3-day mission breaks the work-time rules).
   */
  async function season(org: OrgFixture) {
    const kit = staffingKit(ctx.app, org);
    const long = await kit.mission(0, 72, { quota: 3, title: 'Festival' }); // 3 days
    const early = await kit.mission(10, 14, { quota: 3 });
    const late = await kit.mission(100, 104, { quota: 3 });
    await recomputeLongestMission(ctx.app.database.db, trustedOrgId(org.orgId)); // kit missions bypass it
    const people = [await kit.user(), await kit.user(), await kit.user()];
    const ids: Record<string, string[]> = {};
    for (const [n, m] of [long, early, late].entries()) {
      ids[m.missionId] = [];
      for (const user of people) {
        const res = await kit.invite(org.manager.headers, m.missionId, { user_id: user, role_id: m.roleId });
        expect(res.statusCode).toBe(201);
        ids[m.missionId]!.push(res.json().id);
      }
      if (n > 0) {
        const accepted = await kit.act(org.manager.headers, ids[m.missionId]![n]!, 'accept');
        expect(accepted.statusCode).toBe(200);
      }
    }
    /** The expected order: by mission start, then by assignment id. */
    const ordered = [long, early, late].flatMap((m) => [...ids[m.missionId]!].sort());
    return { long, early, late, ids, ordered };
  }

  it('orders by mission start then id, pages by cursor, and shows no other org’s assignments', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    await season(other);
    const { ordered, long } = await season(org);

    const all = await get(org, 'limit=100');
    expect(all.statusCode).toBe(200);
    expect(all.json().next_cursor).toBeNull();
    const items = all.json().items as Item[];
    expect(items.map((i) => i.id)).toEqual(ordered);
    expect(items[0]).toMatchObject({
      mission_id: long.missionId,
      mission: { starts_at: at(0), title: 'Festival' },
    });

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(org, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json() as { items: Item[]; next_cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      walked.push(...body.items.map((i) => i.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(ordered);
  });

  it('filters by status and by a window, listing a mission that started before `from` while it runs', async () => {
    const org = await createOrgFixture(ctx.app);
    const { ids, long, early, late } = await season(org);
    const accepted = await get(org, 'status=ACCEPTED');
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().items.map((i: Item) => i.id)).toEqual(
      [early, late].map((m, n) => ids[m.missionId]![n + 1]),
    );
    const invited = await get(org, 'status=INVITED&limit=3');
    expect(invited.statusCode).toBe(200);
    expect(invited.json().items.map((i: Item) => i.status)).toEqual(['INVITED', 'INVITED', 'INVITED']);
    expect(invited.json().next_cursor).not.toBeNull();

    // From hour 50: the 3-day festival still runs, the 4-hour mission at 10 is over, the one at 100 is to come.
    const inOrder = (...missions: { missionId: string }[]) =>
      missions.flatMap((m) => [...ids[m.missionId]!].sort());
    const window = await get(org, `from=${at(50)}`);
    expect(window.statusCode).toBe(200);
    expect(window.json().items.map((i: Item) => i.id)).toEqual(inOrder(long, late));
    const before = await get(org, `to=${at(50)}`);
    expect(before.statusCode).toBe(200);
    expect(before.json().items.map((i: Item) => i.id)).toEqual(inOrder(long, early));
    const invitedThen = await get(org, `from=${at(50)}&to=${at(60)}&status=INVITED`);
    expect(invitedThen.statusCode).toBe(200);
    expect(invitedThen.json().items.map((i: Item) => i.id)).toEqual(inOrder(long));
  });

  it('reads the org’s missions in start order and each one’s assignments by index, not every assignment', async () => {
    const planOf = (statuses?: 'ACCEPTED'[]) =>
      queryPlan(
        ctx.app.database,
        assignmentListQuery(ctx.app.database.db, {
          orgId: trustedOrgId('00000000-0000-4000-8000-000000000000'),
          statuses,
          limit: 50,
        }),
        // nor a sort of all rows: the order must come from the missions' start index
        ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'],
      );
    const unfiltered = await planOf();
    expect(unfiltered).toContain('assignments_mission_idx');
    for (const plan of [unfiltered, await planOf(['ACCEPTED'])]) {
      expect(plan).toContain('missions_org_starts_idx');
      // each mission's assignments by mission (the partial unique index also holds the ACCEPTED ones)
      expect(plan).toMatch(/assignments_mission_idx|assignments_active_mission_user_key/);
      // before: the org's assignments by (org_id, status), then every one of them sorted
      expect(plan).not.toContain('assignments_org_status_idx');
    }
  });
});
