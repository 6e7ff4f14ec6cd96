import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * Live planning (issue 14). `stream_tickets`: the short-lived, single-use tickets that let a browser's
 * EventSource (which cannot send an Authorization header) open an event stream; only the ticket's hash is kept,
 * and `used_at` makes it single-use across instances. `webhook_endpoints`: an org's receivers (their signing
 * secret is derived from the server secret and the row, never stored); `webhook_deliveries`: one row per event
 * and endpoint, the queue and the delivery log at once.
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
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('url', t.text, (c) => c.notNull())
    .addColumn('event_types', t.json, (c) => c.notNull())
    .addColumn('enabled', t.boolean, (c) => c.notNull())
    .addColumn('secret_version', t.integer, (c) => c.notNull())
    .addColumn('consecutive_failures', t.integer, (c) => c.notNull())
    .addColumn('disabled_reason', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_org_idx').on('webhook_endpoints').column('org_id').execute();
  // Same-org references, as migration 0006 gives every other org-owned table: a delivery's endpoint is its org's.
  await db.schema
    .createIndex('webhook_endpoints_org_id_key')
    .on('webhook_endpoints')
    .columns(['org_id', 'id'])
    .unique()
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('endpoint_id', t.uuid, (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('event_id', t.isPostgres ? sql.raw('bigint') : sql.raw('integer'), (c) => c.notNull())
    .addColumn('event_type', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('attempts', t.integer, (c) => c.notNull())
    .addColumn('due_at', t.timestamp, (c) => c.notNull())
    .addColumn('claimed_until', t.timestamp)
    .addColumn('last_status', t.integer)
    .addColumn('last_latency_ms', t.integer)
    .addColumn('last_error', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addForeignKeyConstraint(
      'webhook_deliveries_endpoint_id_same_org_fk',
      ['org_id', 'endpoint_id'],
      'webhook_endpoints',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // Each event once per endpoint, whatever the number of instances planning.
  await db.schema
    .createIndex('webhook_deliveries_endpoint_event_key')
    .unique()
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['state', 'due_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
  await db.schema.dropTable('stream_tickets').execute();
}
