import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/platform/db/database.js';
import { currentRevision, downgrade, HEAD, upgrade } from '../../src/platform/db/migrator.js';
import { declaredSchema } from '../../src/platform/db/schema.js';
import { diffSchema, schemaDrift } from '../../src/platform/db/schema-diff.js';
import { introspect } from '../../src/platform/db/schema-introspect.js';
import { DIALECTS, emptyDatabase, type TestDatabase } from '../helpers/database.js';
import { migrations } from '../../src/migrations/index.js';

const ALL = Object.keys(migrations);

describe('the seed drift test on sqlite:///:memory:', () => {
  it('upgrade head gives exactly the declared schema', async () => {
    const database = createDatabase({ dialect: 'sqlite', filename: ':memory:' });
    await upgrade(database.db);
    expect(await schemaDrift(database)).toEqual([]);
    await database.close();
  });
});

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let test: TestDatabase;
  afterEach(() => test?.drop());

  it('upgrade head matches the declared schema: tables, columns, types, nullability, indexes, foreign keys', async () => {
    test = await emptyDatabase(dialect);
    expect(await upgrade(test.database.db)).toEqual(ALL);
    expect(await currentRevision(test.database.db)).toBe(HEAD);
    const actual = await introspect(test.database);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(declaredSchema).sort());
    expect(diffSchema(declaredSchema, actual, dialect)).toEqual([]);
    const partial = actual.assignments!.indexes.find((i) => i.name === 'assignments_active_mission_user_key');
    expect(partial).toMatchObject({ columns: ['mission_id', 'user_id'], unique: true });
    expect(partial!.where).toMatch(/INVITED/);
  });

  it('detects drift: a dropped index, an extra column, a changed nullability', async () => {
    test = await emptyDatabase(dialect);
    await upgrade(test.database.db);
    await sql`DROP INDEX missions_org_starts_idx`.execute(test.database.db);
    await sql`ALTER TABLE orgs ADD COLUMN extra text`.execute(test.database.db);
    const drift = await schemaDrift(test.database);
    expect(drift).toEqual(
      expect.arrayContaining([
        'missions: index missions_org_starts_idx declared, missing',
        'orgs.extra: in the database, not declared',
      ]),
    );
    const loosened = structuredClone(declaredSchema);
    loosened.orgs!.columns.name = 'text?';
    expect(diffSchema(loosened, await introspect(test.database), dialect)).toContain(
      'orgs.name: not null in the database, declared otherwise',
    );
  });

  it('upgrade head → downgrade base leaves only the bookkeeping → upgrade head again', async () => {
    test = await emptyDatabase(dialect);
    await upgrade(test.database.db);
    expect(await downgrade(test.database.db, 'base')).toEqual([...ALL].reverse());
    expect(await currentRevision(test.database.db)).toBeNull();
    expect(await introspect(test.database)).toEqual({});
    const tables = await test.database.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(tables.map((t) => t.name).sort()).toEqual(['kysely_migration', 'kysely_migration_lock']);
    await upgrade(test.database.db, HEAD);
    expect(await schemaDrift(test.database)).toEqual([]);
  });

  it('downgrade -1 reverts one step and unknown targets are refused', async () => {
    test = await emptyDatabase(dialect);
    await upgrade(test.database.db);
    expect(await downgrade(test.database.db, '-1')).toEqual([HEAD]);
    expect(await downgrade(test.database.db, '-1')).toEqual(ALL.length > 1 ? [ALL.at(-2)] : []);
    await expect(upgrade(test.database.db, 'nope')).rejects.toThrow(/unknown migration "nope"/);
  });

  it('keeps the audit log append-only in the database itself', async () => {
    test = await emptyDatabase(dialect);
    await upgrade(test.database.db);
    const { db } = test.database;
    await db
      .insertInto('audit_log')
      .values({
        id: '00000000-0000-4000-8000-000000000001',
        action: 'test',
        entity_type: 'test',
        created_at: new Date().toISOString(),
      } as never)
      .execute();
    await expect(db.updateTable('audit_log').set({ action: 'changed' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
  });
});
