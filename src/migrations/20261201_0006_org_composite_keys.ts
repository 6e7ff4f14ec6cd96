import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// The database refuses cross-org references (issue 12, item 6): every reference between org-owned tables also
// goes through (org_id, x_id) → (org_id, id), and an assignment's role through (mission_id, role_id) →
// mission_roles(mission_id, id). The single-column keys stay (they carry nothing the composite ones do not, but
// removing them would rebuild every table on PostgreSQL too). A nullable x_id or org_id is not checked (MATCH
// SIMPLE, both dialects), as before. Rows that already break the rule make the migration fail, naming the table.
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/** The unique keys the composite references point at. */
const PARENT_KEYS: { name: string; table: string; columns: string[] }[] = [
  { name: 'users_org_id_key', table: 'users', columns: ['org_id', 'id'] },
  { name: 'projects_org_id_key', table: 'projects', columns: ['org_id', 'id'] },
  { name: 'missions_org_id_key', table: 'missions', columns: ['org_id', 'id'] },
  { name: 'mission_roles_mission_id_key', table: 'mission_roles', columns: ['mission_id', 'id'] },
  { name: 'assignments_org_id_key', table: 'assignments', columns: ['org_id', 'id'] },
  { name: 'rate_profiles_org_id_key', table: 'rate_profiles', columns: ['org_id', 'id'] },
];

interface Reference {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

const sameOrg = (table: string, column: string, refTable: string): Reference => ({
  name: `${table}_${column}_same_org_fk`,
  table,
  columns: ['org_id', column],
  refTable,
  refColumns: ['org_id', 'id'],
});

const REFERENCES: Reference[] = [
  sameOrg('user_skills', 'user_id', 'users'),
  sameOrg('user_tags', 'user_id', 'users'),
  sameOrg('missions', 'project_id', 'projects'),
  sameOrg('mission_roles', 'mission_id', 'missions'),
  sameOrg('assignments', 'mission_id', 'missions'),
  sameOrg('assignments', 'user_id', 'users'),
  {
    name: 'assignments_role_of_mission_fk',
    table: 'assignments',
    columns: ['mission_id', 'role_id'],
    refTable: 'mission_roles',
    refColumns: ['mission_id', 'id'],
  },
  sameOrg('availability', 'user_id', 'users'),
  sameOrg('invitations', 'assignment_id', 'assignments'),
  sameOrg('rate_bindings', 'profile_id', 'rate_profiles'),
  sameOrg('rate_bindings', 'user_id', 'users'),
  sameOrg('rate_bindings', 'mission_id', 'missions'),
  sameOrg('timesheets', 'assignment_id', 'assignments'),
  sameOrg('timesheets', 'user_id', 'users'),
  sameOrg('dpae_declarations', 'assignment_id', 'assignments'),
  sameOrg('notifications', 'user_id', 'users'),
  sameOrg('notifications', 'assignment_id', 'assignments'),
  sameOrg('notification_opt_outs', 'user_id', 'users'),
  sameOrg('calendar_feeds', 'project_id', 'projects'),
];

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/** The constraint clause, the same text on both dialects (SQLite's down removes exactly this text). */
const clause = (r: Reference) =>
  `constraint "${r.name}" foreign key (${quoted(r.columns)}) references "${r.refTable}" ` +
  `(${quoted(r.refColumns)}) on delete cascade`;

const isSqlite = (db: Kysely<any>) => !columnTypes(db).isPostgres;

export async function up(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) {
    // PostgreSQL runs the migration in one transaction: a row breaking a new key aborts all of it.
    for (const k of PARENT_KEYS) {
      await sql.raw(`CREATE UNIQUE INDEX "${k.name}" ON "${k.table}" (${quoted(k.columns)})`).execute(db);
    }
    for (const r of REFERENCES) {
      await sql.raw(`ALTER TABLE "${r.table}" ADD ${clause(r)}`).execute(db);
    }
    return;
  }
  await rebuildingSqlite(db, async (tx) => {
    for (const k of PARENT_KEYS) {
      await sql.raw(`CREATE UNIQUE INDEX "${k.name}" ON "${k.table}" (${quoted(k.columns)})`).execute(tx);
    }
    for (const table of childTables()) {
      const added = REFERENCES.filter((r) => r.table === table).map((r) => `, ${clause(r)}`);
      await rebuild(tx, table, (create) => `${create.slice(0, create.lastIndexOf(')'))}${added.join('')})`);
    }
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) {
    for (const r of [...REFERENCES].reverse()) {
      await sql.raw(`ALTER TABLE "${r.table}" DROP CONSTRAINT "${r.name}"`).execute(db);
    }
    for (const k of [...PARENT_KEYS].reverse()) await sql.raw(`DROP INDEX "${k.name}"`).execute(db);
    return;
  }
  await rebuildingSqlite(db, async (tx) => {
    for (const table of childTables()) {
      const added = REFERENCES.filter((r) => r.table === table).map((r) => `, ${clause(r)}`);
      await rebuild(tx, table, (create) => added.reduce((text, piece) => text.replace(piece, ''), create));
    }
    for (const k of [...PARENT_KEYS].reverse()) await sql.raw(`DROP INDEX "${k.name}"`).execute(tx);
  });
}

const childTables = () => [...new Set(REFERENCES.map((r) => r.table))];

/**
 * SQLite cannot add a constraint to a table: each table is rebuilt (its SQLite-documented 12 steps), with
 * foreign keys off so that dropping the old table neither cascades nor fails, in one transaction, and
 * `foreign_key_check` must come back empty before it commits. Kysely runs SQLite migrations outside a
 * transaction, which is what lets the pragma take effect.
 */
async function rebuildingSqlite(db: Kysely<any>, work: (tx: Kysely<any>) => Promise<void>): Promise<void> {
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    const { rows } = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);
    if (rows[0]?.foreign_keys !== 0) throw new Error('foreign keys could not be turned off for the rebuild');
    await db.transaction().execute(async (tx) => {
      await work(tx);
      const broken = await sql<{ table: string; parent: string }>`PRAGMA foreign_key_check`.execute(tx);
      if (broken.rows.length > 0) {
        const pairs = [...new Set(broken.rows.map((r) => `${r.table} → ${r.parent}`))];
        throw new Error(
          `${broken.rows.length} row(s) reference another org's rows or a missing row (${pairs.join(', ')}): ` +
            'fix them, then migrate again',
        );
      }
    });
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/** Rebuilds one table with a changed CREATE statement, keeping its rows, indexes and triggers. */
async function rebuild(tx: Kysely<any>, table: string, change: (create: string) => string): Promise<void> {
  const { rows } = await sql<{ type: string; sql: string }>`
    SELECT type, sql FROM sqlite_schema WHERE tbl_name = ${table} AND sql IS NOT NULL`.execute(tx);
  const create = rows.find((r) => r.type === 'table');
  if (!create) throw new Error(`table ${table} not found`);
  const temporary = `${table}__rebuild`;
  const changed = change(create.sql).replace(/^CREATE TABLE "?[a-z_]+"?/i, `CREATE TABLE "${temporary}"`);
  await sql.raw(changed).execute(tx);
  await sql.raw(`INSERT INTO "${temporary}" SELECT * FROM "${table}"`).execute(tx);
  await sql.raw(`DROP TABLE "${table}"`).execute(tx);
  await sql.raw(`ALTER TABLE "${temporary}" RENAME TO "${table}"`).execute(tx);
  // Indexes (the partial unique one included) and triggers went with the old table: recreated as they were.
  for (const other of rows.filter((r) => r.type !== 'table')) await sql.raw(other.sql).execute(tx);
}
