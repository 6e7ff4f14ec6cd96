import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * Facts that grew with the org, kept up to date instead of summed on every read (issue 13, item 2).
 *
 * `person_month_minutes`: per person and calendar month **in the org's time zone** (`YYYY-MM`), the time of their
 * ACCEPTED assignments on missions that START in that month (the whole mission counts in its start month, as the
 * suggestions' fairness always counted it). Kept in milliseconds (`accepted_ms`) so that the hours shown, rounded
 * to 0.01 h, are those the assignments themselves sum to. Maintained by every change that makes an assignment
 * ACCEPTED or ends one, or moves a mission holding accepted crew, in the same transaction.
 *
 * `assignments_user_status_mission_idx` replaces `assignments_user_status_idx` (same prefix): it also holds the
 * mission id and the id, so reading a person's active assignments never reads the assignment rows.
 *
 * `orgs.longest_mission_minutes`: an upper bound of the org's longest mission (whole minutes, rounded up),
 * raised by every mission write and never lowered: the missions page looks back that far, not 31 days.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const bigint = t.isPostgres ? sql.raw('bigint') : sql.raw('integer');
  await db.schema
    .createTable('person_month_minutes')
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('month', t.text, (c) => c.notNull())
    .addColumn('accepted_ms', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('person_month_minutes_pkey', ['user_id', 'month'])
    .addForeignKeyConstraint(
      'person_month_minutes_user_id_same_org_fk',
      ['org_id', 'user_id'],
      'users',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('person_month_minutes_org_month_idx')
    .on('person_month_minutes')
    .columns(['org_id', 'month'])
    .execute();
  await db.schema
    .alterTable('orgs')
    .addColumn('longest_mission_minutes', t.integer, (c) => c.notNull().defaultTo(0))
    .execute();

  // A person's busy time (accept, conflicts, suggestions' judging) reads their active assignments and then each
  // mission: with the mission id (and the id) in the index, the assignment rows themselves are never read.
  await db.schema.dropIndex('assignments_user_status_idx').execute();
  await db.schema
    .createIndex('assignments_user_status_mission_idx')
    .on('assignments')
    .columns(['user_id', 'status', 'mission_id', 'id'])
    .execute();

  const durationMs = t.isPostgres
    ? sql`round(extract(epoch from (m.ends_at - m.starts_at)) * 1000)::bigint`
    : sql`cast(round((julianday(m.ends_at) - julianday(m.starts_at)) * 86400000.0) as integer)`;
  const orgs: { id: string; timezone: string }[] = await db
    .selectFrom('orgs')
    .select(['id', 'timezone'])
    .execute();
  for (const org of orgs) {
    const longest = await db
      .selectFrom('missions as m')
      .select(sql<number | string | null>`max(${durationMs})`.as('ms'))
      .where('m.org_id', '=', org.id)
      .executeTakeFirst();
    const longestMs = Number(longest?.ms ?? 0);
    await db
      .updateTable('orgs')
      .set({ longest_mission_minutes: Math.ceil(longestMs / 60_000) })
      .where('id', '=', org.id)
      .execute();
    // Month by month of the org's missions (its own time zone): one aggregate each, through (org_id, starts_at).
    let next: string | null = await firstStart(db, org.id, null);
    while (next !== null) {
      const month = zonedMonthOf(next, org.timezone);
      await db
        .insertInto('person_month_minutes')
        .columns(['org_id', 'user_id', 'month', 'accepted_ms'])
        .expression((eb: any) =>
          eb
            .selectFrom('missions as m')
            .innerJoin('assignments as a', 'a.mission_id', 'm.id')
            .select([
              'a.org_id',
              'a.user_id',
              sql.lit(month.label).as('month'),
              sql`sum(${durationMs})`.as('accepted_ms'),
            ])
            .where('m.org_id', '=', org.id)
            .where('m.starts_at', '>=', month.from)
            .where('m.starts_at', '<', month.to)
            .where('a.status', '=', 'ACCEPTED')
            .groupBy(['a.org_id', 'a.user_id']),
        )
        .execute();
      next = await firstStart(db, org.id, month.to);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('assignments_user_status_idx')
    .ifNotExists()
    .on('assignments')
    .columns(['user_id', 'status'])
    .execute();
  await db.schema.dropIndex('assignments_user_status_mission_idx').ifExists().execute();
  await db.schema.alterTable('orgs').dropColumn('longest_mission_minutes').execute();
  await db.schema.dropTable('person_month_minutes').execute();
}

/** The earliest start of the org's missions at or after `from` (any, when null). */
async function firstStart(db: Kysely<any>, orgId: string, from: string | null): Promise<string | null> {
  let query = db
    .selectFrom('missions')
    .select('starts_at')
    .where('org_id', '=', orgId)
    .orderBy('starts_at')
    .limit(1);
  if (from !== null) query = query.where('starts_at', '>=', from);
  const row = await query.executeTakeFirst();
  if (!row) return null;
  return row.starts_at instanceof Date ? row.starts_at.toISOString() : String(row.starts_at);
}

// The time-zone arithmetic of src/platform/timezone.ts as of this migration, copied so the backfill stays frozen.

function offsetMs(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const part of format.formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
  return local - Math.floor(utcMs / 1000) * 1000;
}

function midnightUtc(date: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const local = Date.UTC(y, mo - 1, d);
  const DAY_MS = 86_400_000;
  const before = offsetMs(local - DAY_MS, timeZone);
  const after = offsetMs(local + DAY_MS, timeZone);
  const candidates = [local - before, local - after].filter((utc) => utc + offsetMs(utc, timeZone) === local);
  return new Date(candidates.length > 0 ? Math.min(...candidates) : local - before).toISOString();
}

function zonedMonthOf(iso: string, timeZone: string): { from: string; to: string; label: string } {
  const ms = Date.parse(iso);
  const local = new Date(ms + offsetMs(ms, timeZone));
  const firstDay = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  return {
    from: midnightUtc(firstDay(year, month), timeZone),
    to: midnightUtc(firstDay(year, month + 1), timeZone),
    label: firstDay(year, month).slice(0, 7),
  };
}
