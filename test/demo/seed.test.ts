import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PASSWORD,
  DemoExistsError,
  resetDemo,
  seedDemo,
  type DemoOptions,
  type DemoSummary,
} from '../../src/demo/seed.js';
import { hashPassword } from '../../src/platform/auth/passwords.js';
import type { Db } from '../../src/platform/db/database.js';
import { DIALECTS, migratedDatabase, type TestDatabase } from '../helpers/database.js';

const OPTIONS: DemoOptions = {
  users: 40,
  missions: 300,
  months: 3,
  seed: 7,
  today: new Date('2026-03-20T00:00:00Z'),
};

async function firstRows(db: Db) {
  return {
    users: await db.selectFrom('users').selectAll().orderBy('id').limit(3).execute(),
    missions: await db
      .selectFrom('missions')
      .selectAll()
      .orderBy('starts_at')
      .orderBy('id')
      .limit(3)
      .execute(),
    assignments: await db.selectFrom('assignments').selectAll().orderBy('id').limit(3).execute(),
  };
}

describe.each(DIALECTS)('demo seed on %s', (dialect) => {
  const dbs: TestDatabase[] = [];
  let passwordHash: string;
  let first: DemoSummary;
  let second: DemoSummary;
  beforeAll(async () => {
    passwordHash = await hashPassword(DEMO_PASSWORD);
    dbs.push(await migratedDatabase(dialect), await migratedDatabase(dialect));
    first = await seedDemo(dbs[0]!.database.db, { ...OPTIONS, passwordHash });
    second = await seedDemo(dbs[1]!.database.db, { ...OPTIONS, passwordHash });
  });
  afterAll(async () => {
    for (const test of dbs) await test.drop();
  });

  it('writes the same dataset for the same seed, and refuses to write it twice', async () => {
    const [a, b] = dbs.map((test) => test.database.db) as [Db, Db];
    expect({ ...second, elapsed_ms: 0 }).toEqual({ ...first, elapsed_ms: 0 });
    expect(first).toMatchObject({ users: 40, missions: 300, accounts: 4 + 1 });
    expect(first.projects).toBeGreaterThanOrEqual(3);
    for (const status of ['INVITED', 'ACCEPTED', 'DECLINED', 'CANCELLED'] as const) {
      expect(first.assignments_by_status[status]).toBeGreaterThan(0);
    }
    expect(first.availability).toBeGreaterThan(0);
    expect(await firstRows(b)).toEqual(await firstRows(a));

    await expect(seedDemo(a, { ...OPTIONS, passwordHash })).rejects.toBeInstanceOf(DemoExistsError);
  });

  it('--reset replaces the dataset; another seed draws another one', async () => {
    const b = dbs[1]!.database.db;
    const before = await firstRows(b);
    await resetDemo(b);
    const other = await seedDemo(b, { ...OPTIONS, seed: 8, passwordHash });
    expect(other.org_id).not.toBe(first.org_id);
    expect(other.users).toBe(40);
    expect((await firstRows(b)).users).not.toEqual(before.users);
    const orgs = await b.selectFrom('orgs').select('id').execute();
    expect(orgs).toEqual([{ id: other.org_id }]);
  });

  it('holds the staffing invariants', async () => {
    const db = dbs[0]!.database.db;
    const org = await db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Demo Productions', timezone: 'Europe/Paris' });
    const roles = await db
      .selectFrom('org_memberships as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .select(['a.email', 'm.role'])
      .where('a.email', 'not like', 'crew%')
      .orderBy('a.email')
      .execute();
    expect(roles.map((r) => `${r.email}:${r.role}`)).toEqual([
      'admin@demo.example:admin',
      'manager@demo.example:manager',
      'owner@demo.example:owner',
      'tech@demo.example:tech',
    ]);

    const countMismatch = await db
      .selectFrom('mission_roles as r')
      .select(sql<number>`count(*)`.as('n'))
      .where('r.accepted_count', '<>', (eb) =>
        eb
          .selectFrom('assignments as a')
          .select(sql<number>`count(*)`.as('c'))
          .whereRef('a.role_id', '=', 'r.id')
          .where('a.status', '=', 'ACCEPTED'),
      )
      .executeTakeFirstOrThrow();
    expect(Number(countMismatch.n)).toBe(0);

    const overQuota = await db
      .selectFrom('mission_roles')
      .select(sql<number>`count(*)`.as('n'))
      .whereRef('accepted_count', '>', 'quota')
      .executeTakeFirstOrThrow();
    expect(Number(overQuota.n)).toBe(0);

    const overlapping = await db
      .selectFrom('assignments as a')
      .innerJoin('missions as m', 'm.id', 'a.mission_id')
      .innerJoin('assignments as b', (join) =>
        join.onRef('b.user_id', '=', 'a.user_id').onRef('b.id', '<>', 'a.id').on('b.status', '=', 'ACCEPTED'),
      )
      .innerJoin('missions as n', 'n.id', 'b.mission_id')
      .select(sql<number>`count(*)`.as('n'))
      .where('a.status', '=', 'ACCEPTED')
      .whereRef('m.starts_at', '<', 'n.ends_at')
      .whereRef('n.starts_at', '<', 'm.ends_at')
      .executeTakeFirstOrThrow();
    expect(Number(overlapping.n)).toBe(0);

    const duplicates = await db
      .selectFrom('assignments')
      .select(['mission_id', 'user_id'])
      .where('status', 'in', ['INVITED', 'ACCEPTED'])
      .groupBy(['mission_id', 'user_id'])
      .having(sql<number>`count(*)`, '>', 1)
      .execute();
    expect(duplicates).toEqual([]);

    const unpublishedStaffed = await db
      .selectFrom('assignments as a')
      .innerJoin('missions as m', 'm.id', 'a.mission_id')
      .select(sql<number>`count(*)`.as('n'))
      .where('m.published_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(unpublishedStaffed.n)).toBe(0);
  });
});
