import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * Live planning (issue 14). `stream_tickets`: the short-lived, single-use tickets that let a browser's
 * EventSource (which cannot send an Authorization header) open an event stream; only the ticket's hash is kept,
 * and `used_at` makes it single-use across instances.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('stream_tickets')
    .addColumn('token_hash', t.text, (c) => c.primaryKey().notNull())
    .addColumn('account_id', t.uuid, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('session_id', t.uuid, (c) => c.notNull())
    .addColumn('org_id', t.uuid, (c) => c.references('orgs.id').onDelete('cascade'))
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('stream_tickets_expires_idx')
    .on('stream_tickets')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stream_tickets').execute();
}
