import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { downgrade, upgrade } from '../../src/platform/db/migrator.js';
import type { Db } from '../../src/platform/db/database.js';
import { DIALECTS, emptyDatabase, type TestDatabase } from '../helpers/database.js';

const BEFORE = '20261201_0005_hours_and_pay';
const KEYS = '20261201_0006_org_composite_keys';
const NOW = '2031-01-01T00:00:00.000Z';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** What the database answers for a row pointing at a missing or foreign parent, per dialect. */
const FOREIGN_KEY_VIOLATION = { code: expect.stringMatching(/^(23503|SQLITE_CONSTRAINT_FOREIGNKEY)$/) };

/** Two orgs, each with a project, a mission with one role, and a crew member; one assignment in org 1. */
async function seed(db: Db) {
  for (const n of [1, 2]) {
    await db
      .insertInto('orgs')
      .values({ id: id(n), name: `Org ${n}`, timezone: 'Europe/Paris', created_at: NOW, updated_at: NOW })
      .execute();
    await db
      .insertInto('projects')
      .values({
        ...{ id: id(10 + n), org_id: id(n), name: 'Tour', description: null, status: 'ACTIVE' },
        ...{ starts_at: null, ends_at: null, created_at: NOW, updated_at: NOW },
      } as never)
      .execute();
    await db
      .insertInto('missions')
      .values(mission(id(20 + n), id(n), id(10 + n)))
      .execute();
    await db
      .insertInto('mission_roles')
      .values(role(id(30 + n), id(n), id(20 + n)))
      .execute();
    await db
      .insertInto('users')
      .values(user(id(40 + n), id(n)))
      .execute();
  }
  await db
    .insertInto('assignments')
    .values(assignment(id(50), id(1), id(21), id(31), id(41)))
    .execute();
}

const mission = (missionId: string, orgId: string, projectId: string) =>
  ({
    ...{ id: missionId, org_id: orgId, project_id: projectId, title: 'Load-in', location: null, notes: null },
    ...{ starts_at: '2031-02-01T08:00:00.000Z', ends_at: '2031-02-01T16:00:00.000Z', published_at: null },
    ...{ created_at: NOW, updated_at: NOW },
  }) as never;
const role = (roleId: string, orgId: string, missionId: string) =>
  ({
    ...{ id: roleId, org_id: orgId, mission_id: missionId, name: 'Rigger', quota: 2, skill: null },
    ...{ min_level: null, accepted_count: 0, created_at: NOW },
  }) as never;
const user = (userId: string, orgId: string) =>
  ({
    ...{ id: userId, org_id: orgId, account_id: null, first_name: 'Ada', last_name: 'L', email: null },
    ...{ phone: null, employment_type: 'INTERMITTENT', notes: null, active: true },
    ...{ created_at: NOW, updated_at: NOW },
  }) as never;
const assignment = (assignmentId: string, orgId: string, missionId: string, roleId: string, userId: string) =>
  ({
    ...{ id: assignmentId, org_id: orgId, mission_id: missionId, role_id: roleId, user_id: userId },
    ...{ status: 'INVITED', note: null, reason: null, invited_by: null, responded_at: null },
    ...{ created_at: NOW, updated_at: NOW },
  }) as never;

describe.each(DIALECTS)('the database refuses cross-org references on %s', (dialect) => {
  let test: TestDatabase;
  afterEach(() => test?.drop());

  it('keeps every row through the migration, then refuses a reference into another org, whoever writes it', async () => {
    test = await emptyDatabase(dialect);
    const { db } = test.database;
    await upgrade(db, BEFORE);
    await seed(db);
    // Before: the single-column keys let a mission of org 2 sit in org 1's project.
    await db
      .insertInto('missions')
      .values(mission(id(29), id(2), id(11)))
      .execute();
    await expect(upgrade(db, KEYS)).rejects.toThrow();
    await db.deleteFrom('missions').where('id', '=', id(29)).execute();
    await upgrade(db, KEYS);

    expect(await db.selectFrom('assignments').select('id').execute()).toEqual([{ id: id(50) }]);
    expect(await db.selectFrom('missions').select('id').orderBy('id').execute()).toHaveLength(2);

    // A mission of org 2 in org 1's project.
    await expect(
      db
        .insertInto('missions')
        .values(mission(id(28), id(2), id(11)))
        .execute(),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    // An assignment of org 1 for org 2's person; and one whose role belongs to another mission.
    await db
      .insertInto('users')
      .values(user(id(44), id(1)))
      .execute();
    await expect(
      db
        .insertInto('assignments')
        .values(assignment(id(51), id(1), id(21), id(31), id(42)))
        .execute(),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    await expect(
      db
        .insertInto('assignments')
        .values(assignment(id(52), id(1), id(21), id(32), id(44)))
        .execute(),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    // Moving an existing row across orgs by UPDATE is refused too, in raw SQL.
    await expect(
      sql`UPDATE assignments SET user_id = ${id(42)} WHERE id = ${id(50)}`.execute(db),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    // The same-org writes still work, and deleting a mission still takes its assignments with it.
    await db
      .insertInto('users')
      .values(user(id(43), id(1)))
      .execute();
    await db
      .insertInto('assignments')
      .values(assignment(id(53), id(1), id(21), id(31), id(43)))
      .execute();
    await db.deleteFrom('missions').where('id', '=', id(21)).execute();
    expect(await db.selectFrom('assignments').select('id').execute()).toEqual([]);
  });

  it('down removes the keys again (a cross-org row is accepted, as before), and up puts them back', async () => {
    test = await emptyDatabase(dialect);
    const { db } = test.database;
    await upgrade(db, BEFORE);
    await seed(db);
    await upgrade(db, KEYS);
    await downgrade(db, BEFORE);
    await db
      .insertInto('missions')
      .values(mission(id(29), id(2), id(11)))
      .execute();
    await db.deleteFrom('missions').where('id', '=', id(29)).execute();
    await upgrade(db, KEYS);
    expect(await db.selectFrom('assignments').select('id').execute()).toEqual([{ id: id(50) }]);
    await expect(
      db
        .insertInto('missions')
        .values(mission(id(29), id(2), id(11)))
        .execute(),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
  });
});
