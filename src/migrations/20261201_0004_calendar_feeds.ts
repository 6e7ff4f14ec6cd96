import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * Secret calendar feed URLs: a crew member's own feed (no org, no project: every org linked to the account) or
 * a manager's feed of one project. Only the token's hash is kept; a revoked feed keeps its row for the audit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('calendar_feeds')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('account_id', t.uuid, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('org_id', t.uuid, (c) => c.references('orgs.id').onDelete('cascade'))
    .addColumn('project_id', t.uuid, (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('token_hash', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('calendar_feeds_token_hash_key')
    .unique()
    .on('calendar_feeds')
    .column('token_hash')
    .execute();
  await db.schema
    .createIndex('calendar_feeds_account_idx')
    .on('calendar_feeds')
    .columns(['account_id', 'project_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calendar_feeds').execute();
}
