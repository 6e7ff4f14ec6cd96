import { describe, expect, it, vi } from 'vitest';
import { listMissionsQuery } from '../../../src/modules/missions/missions.repository.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type Member, type OrgFixture } from '../../helpers/factories.js';
import { missionApi, type ApiMission } from './fixtures.js';
import { queryPlan } from '../../helpers/query-plan.js';
import { trustedOrgId } from '../../../src/platform/auth/org-scope.js';

describe.each(DIALECTS)('mission list on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const api = missionApi(ctx);
  const list = async (org: OrgFixture, query = '', who?: Member) => {
    const res = await api.call(org, 'GET', `/missions${query ? `?${query}` : ''}`, undefined, who);
    expect(res.statusCode).toBe(200);
    return res.json() as { items: ApiMission[]; next_cursor: string | null };
  };
  const titles = (page: { items: ApiMission[] }) => page.items.map((m) => m.title);
  const at = (day: number, hour: number) =>
    `2026-07-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

  /** Five missions over two projects: A (1st 08–12), B (1st 20 – 2nd 02), C (2nd 10–18), D (3rd), E (other project, 2nd 12–13). */
  async function plan(org: OrgFixture) {
    const p1 = await api.project(org);
    const p2 = await api.project(org);
    const make = async (project: string, title: string, start: string, end: string, publish: boolean) => {
      const m = publish
        ? await api.published(org, project, { title, starts_at: start, ends_at: end })
        : await api.mission(org, project, { title, starts_at: start, ends_at: end });
      return m;
    };
    const a = await make(p1, 'A', at(1, 8), at(1, 12), true);
    const b = await make(p1, 'B', at(1, 20), at(2, 2), false);
    const c = await make(p1, 'C', at(2, 10), at(2, 18), true);
    const d = await make(p1, 'D', at(3, 8), at(3, 12), false);
    const e = await make(p2, 'E', at(2, 12), at(2, 13), true);
    return { p1, p2, a, b, c, d, e };
  }

  it('orders by starts_at and filters by project, time window and publication', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    await api.published(other);
    const { p2 } = await plan(org);

    expect(titles(await list(org))).toEqual(['A', 'B', 'C', 'E', 'D']);
    expect(titles(await list(org, `project_id=${p2}`))).toEqual(['E']);
    // overlap: ends_at > from AND starts_at < to
    expect(titles(await list(org, `from=${at(2, 0)}&to=${at(2, 12)}`))).toEqual(['B', 'C']);
    expect(titles(await list(org, `from=${at(2, 2)}`))).toEqual(['C', 'E', 'D']);
    expect(titles(await list(org, `to=${at(1, 20)}`))).toEqual(['A']);
    expect(titles(await list(org, `from=2026-07-02T03:00:00%2B02:00&to=${at(2, 12)}`))).toEqual(['B', 'C']);
    expect(titles(await list(org, 'published=true'))).toEqual(['A', 'C', 'E']);
    expect(titles(await list(org, 'published=false'))).toEqual(['B', 'D']);

    const page = await list(org, `project_id=${p2}`);
    expect(page.items[0]).toMatchObject({ org_id: org.orgId, project_id: p2, open_slots: 6 });
    expect(page.items[0]!.roles).toHaveLength(2);
  });

  it('shows a tech only published missions, whatever the filters', async () => {
    const org = await createOrgFixture(ctx.app);
    await plan(org);
    expect(titles(await list(org, '', org.tech))).toEqual(['A', 'C', 'E']);
    expect(titles(await list(org, 'published=false', org.tech))).toEqual([]);
    expect(titles(await list(org, 'published=true&has_open_slots=true', org.tech))).toEqual(['A', 'C', 'E']);
  });

  it('filters on open slots and reports them per role and per mission', async () => {
    const org = await createOrgFixture(ctx.app);
    const { a, c, e } = await plan(org);
    // A: full on both roles; C: one role full; E untouched
    for (const role of a.roles) await api.setAccepted(role.id, role.quota);
    await api.setAccepted(c.roles.find((r) => r.name === 'Rigger')!.id, 2);
    const stagehandE = e.roles.find((r) => r.name === 'Stagehand')!;
    await api.setAccepted(stagehandE.id, 1);

    expect(titles(await list(org, 'has_open_slots=false'))).toEqual(['A']);
    const open = await list(org, 'has_open_slots=true');
    expect(titles(open)).toEqual(['B', 'C', 'E', 'D']);
    const byTitle = Object.fromEntries(open.items.map((m) => [m.title, m]));
    expect(byTitle.C!.open_slots).toBe(4);
    expect(byTitle.C!.roles.find((r) => r.name === 'Rigger')).toMatchObject({ accepted: 2, open_slots: 0 });
    expect(byTitle.E!.open_slots).toBe(5);
    expect(byTitle.E!.roles.find((r) => r.id === stagehandE.id)).toMatchObject({
      quota: 4,
      accepted: 1,
      open_slots: 3,
    });
    const full = await api.call(org, 'GET', `/missions/${a.id}`);
    expect(full.json()).toMatchObject({ open_slots: 0, roles: [{ open_slots: 0 }, { open_slots: 0 }] });
  });

  it('paginates by (starts_at, id) without gaps or repeats, ties included, roles loaded in one query', async () => {
    const org = await createOrgFixture(ctx.app);
    const projectId = await api.project(org);
    const res = await api.call(org, 'POST', `/projects/${projectId}/missions/bulk`, {
      missions: Array.from({ length: 7 }, (_, i) => ({
        title: `M${i}`,
        starts_at: at(10 + Math.floor(i / 3), 9), // three missions share each start time
        ends_at: at(10 + Math.floor(i / 3), 17),
        roles: [{ name: 'Crew', quota: 1 + i }],
      })),
    });
    expect(res.statusCode).toBe(201);

    const selectFrom = vi.spyOn(ctx.app.database.db, 'selectFrom');
    const seen: ApiMission[] = [];
    let cursor: string | null = null;
    let pages = 0;
    try {
      do {
        selectFrom.mockClear();
        const page = await list(org, `limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        const roleQueries = selectFrom.mock.calls.filter(([table]) =>
          String(table).startsWith('mission_roles'),
        );
        expect(roleQueries).toHaveLength(1);
        expect(page.items.every((m) => m.roles.length === 1)).toBe(true);
        seen.push(...page.items);
        cursor = page.next_cursor;
        pages++;
      } while (cursor);
    } finally {
      selectFrom.mockRestore();
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((m) => m.id)).size).toBe(7);
    const keys = seen.map((m) => `${m.starts_at}|${m.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(seen.map((m) => m.open_slots).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects bad filters and cursors with 400', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const [query, path] of [
      ['from=yesterday', '/from'],
      ['project_id=nope', '/project_id'],
      ['published=maybe', '/published'],
      ['limit=0', '/limit'],
      ['limit=101', '/limit'],
      ['cursor=bm9wZQ', '/cursor'],
      [`from=${at(2, 0)}&to=${at(1, 0)}`, '/to'],
      ['colour=red', '/'],
    ] as const) {
      const res = await api.call(org, 'GET', `/missions?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: expect.any(Array) });
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const projects = await api.call(org, 'GET', '/projects?limit=1');
    expect(projects.statusCode).toBe(200);
  });

  it('serves the date window from the (org_id, starts_at) index', async () => {
    const { db, dialect: d } = ctx.app.database;
    const plan = await queryPlan(
      ctx.app.database,
      listMissionsQuery(db, trustedOrgId('00000000-0000-4000-8000-000000000000'), {
        from: '2026-07-01T00:00:00.000Z',
        earliestStart: '2026-06-01T00:00:00.000Z',
        to: '2026-07-08T00:00:00.000Z',
        limit: 50,
      }),
    );
    expect(plan).toContain('missions_org_starts_idx');
    if (d === 'sqlite') expect(plan).toMatch(/starts_at>\? AND starts_at<\?/);
    else expect(plan).toMatch(/Index Cond: .*starts_at > .*starts_at < /);
  });
});
