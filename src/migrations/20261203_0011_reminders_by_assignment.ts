import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * `notifications (assignment_id, kind, state)` instead of `(assignment_id)`: the planner looks up an assignment's
 * waiting reminders (`kind = 'reminder' AND state IN ('queued', 'failed') AND assignment_id IN (…)`) on every
 * accept, decline, cancellation and mission change. With only `(assignment_id)`, SQLite chose
 * `notifications_due_idx (state, due_at)` for it and read every queued notification, and every accepted assignment
 * keeps one queued (its reminder, due a day before the mission): each planning round cost as much as the org's
 * whole season of reminders. The three columns match the lookup exactly, so both dialects take it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('notifications_assignment_kind_state_idx')
    .on('notifications')
    .columns(['assignment_id', 'kind', 'state'])
    .execute();
  await db.schema.dropIndex('notifications_assignment_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('notifications_assignment_idx')
    .on('notifications')
    .column('assignment_id')
    .execute();
  await db.schema.dropIndex('notifications_assignment_kind_state_idx').execute();
}
