import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { insertMembership } from '../../src/modules/orgs/orgs.repository.js';
import type { OrgId } from '../../src/platform/auth/org-scope.js';
import type { Db } from '../../src/platform/db/database.js';
import { currentRevision, HEAD, upgrade } from '../../src/platform/db/migrator.js';
import { testConfig } from '../helpers/app.js';
import { DIALECTS, emptyDatabase, type TestDatabase } from '../helpers/database.js';
import { bearer, createAccount, tokenFor } from '../helpers/factories.js';

const BEFORE = '20261121_0001_initial';
const NOW = '2026-11-30T12:00:00.000Z';

/** Rows as an older version could store them: timestamps spelled as the client sent them. */
async function seedOldRows(db: Db, orgId: string, projects: { starts_at: string; ends_at: string }[]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const raw = db as any;
  await raw
    .insertInto('orgs')
    .values({
      id: orgId,
      name: `Old ${orgId.slice(0, 6)}`,
      timezone: 'Europe/Paris',
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
  const ids: string[] = [];
  for (const [i, p] of projects.entries()) {
    const id = randomUUID();
    ids.push(id);
    await raw
      .insertInto('projects')
      .values({
        id,
        org_id: orgId,
        name: `Project ${i}`,
        description: null,
        status: 'ACTIVE',
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        created_at: '2026-11-30T13:00:00+01:00',
        updated_at: NOW,
      })
      .execute();
  }
  return ids;
}

describe.each(DIALECTS)('20261201_0002_canonical_timestamps on %s', (dialect) => {
  const withDatabase = async (run: (test: TestDatabase) => Promise<void>) => {
    const test = await emptyDatabase(dialect);
    try {
      await run(test);
    } finally {
      await test.drop();
    }
  };

  it('rewrites stored timestamps to canonical UTC, after which the org’s projects list and sort correctly', () =>
    withDatabase(async (test) => {
      const { db } = test.database;
      await upgrade(db, BEFORE);
      const orgId = randomUUID();
      const [early, late] = await seedOldRows(db, orgId, [
        // 06:00Z, spelled with an offset: as text it sorts after 07:00Z
        { starts_at: '2026-07-01T08:00:00+02:00', ends_at: '2026-07-01T09:00:00.5+02:00' },
        { starts_at: '2026-07-01T07:00:00Z', ends_at: '2026-07-01T07:30:00.000Z' },
      ]);
      await upgrade(db);
      expect(await currentRevision(db)).toBe(HEAD);

      const app = await buildApp(testConfig(), { database: test.database });
      try {
        const account = await createAccount(app);
        await insertMembership(db, orgId as OrgId, account.id, 'manager');
        const headers = bearer(await tokenFor(app, account.id, orgId));
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/orgs/${orgId}/missions?from=2026-07-01T00:00:00Z`,
          headers,
        });
        expect(res.statusCode).toBe(200);
        const list = await app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/projects`, headers });
        expect(list.statusCode).toBe(200);
        const byId = Object.fromEntries(
          (list.json().items as { id: string; starts_at: string; ends_at: string }[]).map((p) => [p.id, p]),
        );
        expect(byId[early!]).toMatchObject({
          starts_at: '2026-07-01T06:00:00.000Z',
          ends_at: '2026-07-01T07:00:00.500Z',
        });
        expect(byId[late!]).toMatchObject({
          starts_at: '2026-07-01T07:00:00.000Z',
          ends_at: '2026-07-01T07:30:00.000Z',
        });
      } finally {
        await app.close();
      }
      if (dialect === 'sqlite') {
        const stored = await db
          .selectFrom('projects')
          .select(['starts_at', 'created_at'])
          .where('org_id', '=', orgId as OrgId)
          .orderBy('starts_at')
          .execute();
        expect(stored).toEqual([
          { starts_at: '2026-07-01T06:00:00.000Z', created_at: '2026-11-30T12:00:00.000Z' },
          { starts_at: '2026-07-01T07:00:00.000Z', created_at: '2026-11-30T12:00:00.000Z' },
        ]);
      }
    }));

  it.runIf(dialect === 'sqlite')(
    'refuses, names and leaves untouched rows that cannot be repaired (leap second, year past 9999 UTC)',
    () =>
      withDatabase(async (test) => {
        const { db } = test.database;
        await upgrade(db, BEFORE);
        const orgId = randomUUID();
        await seedOldRows(db, orgId, [
          { starts_at: '2026-12-31T23:59:60Z', ends_at: '2027-01-01T01:00:00Z' },
          { starts_at: '2026-07-01T08:00:00+02:00', ends_at: '9999-12-31T23:00:00-14:00' },
        ]);
        await expect(upgrade(db)).rejects.toThrow(
          /2 stored timestamp\(s\) cannot be made canonical[\s\S]*projects\.starts_at rowid \d+: "2026-12-31T23:59:60Z"[\s\S]*projects\.ends_at rowid \d+: "9999-12-31T23:00:00-14:00"/,
        );
        expect(await currentRevision(db)).toBe(BEFORE);
        const stored = await db
          .selectFrom('projects')
          .select('starts_at')
          .where('org_id', '=', orgId as OrgId)
          .execute();
        // nothing half-done: the repairable row was not rewritten either
        expect(stored.map((r) => r.starts_at).sort()).toEqual([
          '2026-07-01T08:00:00+02:00',
          '2026-12-31T23:59:60Z',
        ]);
      }),
  );

  it.runIf(dialect === 'sqlite')(
    'refuses a row whose end, once canonical, comes before its start (the CHECK compared text)',
    () =>
      withDatabase(async (test) => {
        const { db } = test.database;
        await upgrade(db, BEFORE);
        const orgId = randomUUID();
        await seedOldRows(db, orgId, [
          { starts_at: '2026-07-01T09:00:00+01:00', ends_at: '2026-07-01T09:30:00Z' },
          // as text "…T11…" ≥ "…T10…"; as instants the end is 06:00Z, four hours before the start
          { starts_at: '2026-07-01T10:00:00Z', ends_at: '2026-07-01T11:00:00+05:00' },
        ]);
        await expect(upgrade(db)).rejects.toThrow(
          /1 stored timestamp\(s\)[\s\S]*projects rowid \d+: .*CHECK/,
        );
        expect(await currentRevision(db)).toBe(BEFORE);
        const stored = await db
          .selectFrom('projects')
          .select('starts_at')
          .where('org_id', '=', orgId as OrgId)
          .execute();
        // rolled back: the row that could be repaired was not rewritten either
        expect(stored.map((r) => r.starts_at).sort()).toEqual([
          '2026-07-01T09:00:00+01:00',
          '2026-07-01T10:00:00Z',
        ]);
      }),
  );
});
