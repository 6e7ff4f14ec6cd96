import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * `assignments (mission_id, id)`: the org's assignment list (`GET …/assignments`, ordered by mission start) reads
 * the org's missions in start order (`missions_org_starts_idx`) and each mission's assignments through this index,
 * so a page costs its own rows. Before, it read every assignment of the org and sorted them: 1.2 s (PostgreSQL) to
 * 22 s (SQLite) a page at scale L (a million assignments). A mission's assignments (`…/missions/{id}/assignments`)
 * use it too; the partial unique index on `(mission_id, user_id)` holds only the INVITED and ACCEPTED ones.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('assignments_mission_idx')
    .on('assignments')
    .columns(['mission_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('assignments_mission_idx').execute();
}
