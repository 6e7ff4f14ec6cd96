import { sql, type Kysely } from 'kysely';
import { columnTypes, inList } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

const NOTIFICATION_KINDS = [
  'invitation',
  'assignment_changed',
  'assignment_cancelled',
  'assignment_response',
  'reminder',
  'org_invitation',
  'password_reset',
];
const NOTIFICATION_STATES = ['queued', 'sent', 'failed', 'dead'];

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const check = (expression: string) => sql.raw(expression);

  // The domain events, in commit order (see docs/events.md). No foreign keys: like the audit trail, an event
  // outlives what it describes (a deleted mission's event must still reach the stream and the mail).
  await db.schema
    .createTable('events')
    .addColumn('id', t.isPostgres ? sql.raw('bigint') : sql.raw('integer'), (c) =>
      t.isPostgres ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement().notNull(),
    )
    .addColumn('org_id', t.uuid)
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('entity_type', t.text, (c) => c.notNull())
    .addColumn('entity_id', t.text, (c) => c.notNull())
    .addColumn('subjects', t.json, (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('actor_account_id', t.uuid)
    .addColumn('request_id', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_org_id_idx').on('events').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('events_created_idx').on('events').column('created_at').execute();

  // How far each consumer of the event log has read (the notification planner, later streams and webhooks).
  await db.schema
    .createTable('event_consumers')
    .addColumn('name', t.text, (c) => c.primaryKey().notNull())
    .addColumn('last_event_id', t.isPostgres ? sql.raw('bigint') : sql.raw('integer'), (c) =>
      c.notNull().defaultTo(0),
    )
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.references('orgs.id').onDelete('cascade'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('recipient_email', t.text, (c) => c.notNull())
    .addColumn('user_id', t.uuid, (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('account_id', t.uuid, (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('assignment_id', t.uuid, (c) => c.references('assignments.id').onDelete('cascade'))
    .addColumn('event_id', t.isPostgres ? sql.raw('bigint') : sql.raw('integer'))
    .addColumn('coalesce_key', t.text)
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull().defaultTo('queued'))
    .addColumn('attempts', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', t.timestamp, (c) => c.notNull())
    .addColumn('claimed_until', t.timestamp)
    .addColumn('last_error', t.text)
    .addColumn('message_id', t.text, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('notifications_kind_check', check(`kind IN (${inList(NOTIFICATION_KINDS)})`))
    .addCheckConstraint('notifications_state_check', check(`state IN (${inList(NOTIFICATION_STATES)})`))
    .execute();
  await db.schema
    .createIndex('notifications_due_idx')
    .on('notifications')
    .columns(['state', 'due_at'])
    .execute();
  await db.schema
    .createIndex('notifications_org_created_idx')
    .on('notifications')
    .columns(['org_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_coalesce_idx')
    .on('notifications')
    .columns(['coalesce_key', 'state'])
    .execute();
  await db.schema
    .createIndex('notifications_assignment_idx')
    .on('notifications')
    .column('assignment_id')
    .execute();

  // One row per org that changed a default; an org without a row gets the defaults (see notification settings).
  await db.schema
    .createTable('org_notification_settings')
    .addColumn('org_id', t.uuid, (c) => c.primaryKey().notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('language', t.text)
    .addColumn('invitation', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('assignment_changed', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('assignment_cancelled', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('assignment_response', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('reminder', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('reminder_lead_minutes', t.integer, (c) => c.notNull().defaultTo(1440))
    .addColumn('coalesce_seconds', t.integer, (c) => c.notNull().defaultTo(120))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('org_notification_settings_language_check', check(`language IN ('fr', 'en')`))
    .addCheckConstraint(
      'org_notification_settings_lead_check',
      check('reminder_lead_minutes BETWEEN 15 AND 20160'),
    )
    .addCheckConstraint(
      'org_notification_settings_coalesce_check',
      check('coalesce_seconds BETWEEN 0 AND 3600'),
    )
    .execute();

  // A person who switched off a kind of mail (only reminders can be switched off: never changes to their work).
  await db.schema
    .createTable('notification_opt_outs')
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_opt_outs_pkey', ['user_id', 'kind'])
    .addCheckConstraint('notification_opt_outs_kind_check', check(`kind IN ('reminder')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'notification_opt_outs',
    'org_notification_settings',
    'notifications',
    'event_consumers',
    'events',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
