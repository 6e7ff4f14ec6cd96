import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * DPAE reminders to managers (issue 15 §3, through the notifications of issue 11). A new notification kind
 * `dpae_reminder`; the org switch `org_notification_settings.dpae_reminder` (on by default, like the other kinds);
 * `dpae_reminders`, one row per assignment once its reminder was queued, so a reminder goes out once per assignment;
 * and an index on `missions.starts_at` for the dispatcher's scan of the missions about to start, across orgs.
 */
const KINDS_BEFORE = [
  'invitation',
  'assignment_changed',
  'assignment_cancelled',
  'assignment_response',
  'reminder',
  'org_invitation',
  'password_reset',
];
const KINDS_AFTER = [...KINDS_BEFORE, 'dpae_reminder'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await setKinds(db, KINDS_BEFORE, KINDS_AFTER);
  await db.schema
    .alterTable('org_notification_settings')
    .addColumn('dpae_reminder', t.boolean, (c) => c.notNull().defaultTo(t.isPostgres ? sql`true` : sql`1`))
    .execute();
  await db.schema
    .createTable('dpae_reminders')
    .addColumn('assignment_id', t.uuid, (c) =>
      c.primaryKey().notNull().references('assignments.id').onDelete('cascade'),
    )
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('notification_id', t.uuid)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('missions_starts_idx').on('missions').column('starts_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('missions_starts_idx').execute();
  await db.schema.dropTable('dpae_reminders').execute();
  await db.schema.alterTable('org_notification_settings').dropColumn('dpae_reminder').execute();
  await db.deleteFrom('notifications').where('kind', '=', 'dpae_reminder').execute();
  await setKinds(db, KINDS_AFTER, KINDS_BEFORE);
}

/**
 * Replaces the CHECK on `notifications.kind`. PostgreSQL alters the constraint; SQLite cannot, so the table is
 * rebuilt (no table references `notifications`, so dropping the old one neither cascades nor fails; Kysely runs
 * SQLite migrations outside a transaction, so the rebuild gets its own), keeping its rows and indexes.
 */
async function setKinds(db: Kysely<any>, from: string[], to: string[]): Promise<void> {
  if (columnTypes(db).isPostgres) {
    await sql
      .raw(
        'ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check, ' +
          `ADD CONSTRAINT notifications_kind_check CHECK (kind IN (${list(to)}))`,
      )
      .execute(db);
    return;
  }
  await db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ type: string; sql: string }>`
      SELECT type, sql FROM sqlite_schema WHERE tbl_name = 'notifications' AND sql IS NOT NULL`.execute(tx);
    const create = rows.find((r) => r.type === 'table');
    if (!create) throw new Error('table notifications not found');
    const before = `kind IN (${list(from)})`;
    if (!create.sql.includes(before)) throw new Error('notifications_kind_check is not the expected one');
    const changed = create.sql
      .replace(before, `kind IN (${list(to)})`)
      .replace(/^CREATE TABLE "?notifications"?/i, 'CREATE TABLE "notifications__rebuild"');
    await sql.raw(changed).execute(tx);
    await sql.raw('INSERT INTO "notifications__rebuild" SELECT * FROM "notifications"').execute(tx);
    await sql.raw('DROP TABLE "notifications"').execute(tx);
    await sql.raw('ALTER TABLE "notifications__rebuild" RENAME TO "notifications"').execute(tx);
    for (const other of rows.filter((r) => r.type !== 'table')) await sql.raw(other.sql).execute(tx);
  });
}
