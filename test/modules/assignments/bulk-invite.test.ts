import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { staffingKit } from './fixtures.js';

/**
 * Inviting many people at once (up to 200) inserts each assignment on its own, so a second active assignment is
 * named by its person, but audits them in one statement and reads their views back in one query.
 */
describe.each(DIALECTS)('a bulk invitation on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('answers every invitation in the order sent, audited, with one audit insert and one view query', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16, { quota: 30 });
    const people: string[] = [];
    for (let i = 0; i < 25; i++) people.push(await kit.user());
    const statements: string[] = [];
    const stop = ctx.app.database.onQuery!((query) => statements.push(query.sql.trim().toLowerCase()));
    const res = await kit.invite(org.manager.headers, missionId, {
      invites: people.map((user_id) => ({ user_id, role_id: roleId })),
    });
    stop();
    expect(res.statusCode).toBe(201);
    const items = res.json().items as { id: string; user_id: string; status: string; role_name: string }[];
    expect(items.map((i) => i.user_id)).toEqual(people);
    expect(new Set(items.map((i) => i.status))).toEqual(new Set(['INVITED']));
    expect(items.every((i) => typeof i.role_name === 'string')).toBe(true);

    const count = (prefix: string) => statements.filter((sql) => sql.startsWith(prefix)).length;
    expect(count('insert into "assignments"')).toBe(people.length);
    expect(count('insert into "audit_log"')).toBe(1);
    // the views: assignments joined to their mission and role (assignments.repository.ts, `assignmentViews`)
    const views = statements.filter((sql) =>
      /from "assignments" as "a" inner join "missions" as "m" .* inner join "mission_roles" as "r"/.test(sql),
    );
    expect(views).toHaveLength(1);

    const audited = await ctx.app.database.db
      .selectFrom('audit_log')
      .select(['entity_id', 'action', 'actor_account_id'])
      .where(
        'entity_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    expect(audited).toHaveLength(people.length);
    expect(new Set(audited.map((a) => a.action))).toEqual(new Set(['assignment.invite']));
    expect(new Set(audited.map((a) => a.actor_account_id))).toEqual(new Set([org.manager.accountId]));
  });
});
