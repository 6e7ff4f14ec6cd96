import { Migrator, NO_MIGRATIONS, sql, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Db } from './database.js';

export const MIGRATION_NAMES = Object.keys(migrations).sort();
export const HEAD = MIGRATION_NAMES.at(-1)!;

export function createMigrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** `head` or a migration name, as the seed's `alembic upgrade`. */
export async function upgrade(db: Db, target = 'head'): Promise<string[]> {
  const migrator = createMigrator(db);
  if (target === 'head') return applied(await migrator.migrateToLatest());
  return applied(await migrator.migrateTo(knownName(target)));
}

/** `base`, `-1` or a migration name to go back to, as the seed's `alembic downgrade`. */
export async function downgrade(db: Db, target: string): Promise<string[]> {
  const migrator = createMigrator(db);
  if (target === 'base') return applied(await migrator.migrateTo(NO_MIGRATIONS));
  if (/^-\d+$/.test(target)) {
    const reverted: string[] = [];
    for (let step = 0; step < Number(target.slice(1)); step++) {
      const names = applied(await migrator.migrateDown());
      if (names.length === 0) break;
      reverted.push(...names);
    }
    return reverted;
  }
  return applied(await migrator.migrateTo(knownName(target)));
}

/** The last applied migration, or null on an empty database. */
export async function currentRevision(db: Db): Promise<string | null> {
  // Liveness asks this on every probe: one read of Kysely's own table (the migrator's getMigrations first
  // introspects every table to make sure its tables exist, ≈ 2 ms on SQLite, which made /healthz 10× dearer
  // than an authenticated read). Only a database without that table takes the migrator's path.
  const executed = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db).then(
    (result) => result.rows.map((row) => row.name),
    () => null,
  );
  if (executed) {
    const names = new Set(executed);
    return MIGRATION_NAMES.filter((name) => names.has(name)).at(-1) ?? null;
  }
  const all = await createMigrator(db).getMigrations();
  return all.filter((m) => m.executedAt).at(-1)?.name ?? null;
}

function knownName(name: string): string {
  if (!MIGRATION_NAMES.includes(name)) {
    throw new Error(`unknown migration "${name}"; known: ${MIGRATION_NAMES.join(', ')}`);
  }
  return name;
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
