import { sql, type Kysely } from 'kysely';
import { columnTypes, inList } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Hours and pay (issue 15): per-org pay settings, rate profiles and their bindings, timesheets, DPAE records.
// Frozen once merged: a schema change is a new migration, never an edit of this one.

const PAY_BASES = ['HOURLY', 'DAILY', 'CACHET'];
const TIMESHEET_STATUSES = ['DRAFT', 'SUBMITTED', 'APPROVED', 'SENT_BACK'];

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const check = (expression: string) => sql.raw(expression);

  // One row per org that changed a default; an org without a row uses the defaults below.
  await db.schema
    .createTable('pay_settings')
    .addColumn('org_id', t.uuid, (c) => c.primaryKey().notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('country', t.text, (c) => c.notNull().defaultTo('FR'))
    .addColumn('currency', t.text, (c) => c.notNull().defaultTo('EUR'))
    .addColumn('night_start_minute', t.integer, (c) => c.notNull().defaultTo(22 * 60))
    .addColumn('night_end_minute', t.integer, (c) => c.notNull().defaultTo(6 * 60))
    .addColumn('dpae_delay_hours', t.integer, (c) => c.notNull().defaultTo(48))
    .addColumn('managers_see_amounts', t.boolean, (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint(
      'pay_settings_night_check',
      check('night_start_minute BETWEEN 0 AND 1439 AND night_end_minute BETWEEN 0 AND 1439'),
    )
    .addCheckConstraint('pay_settings_dpae_check', check('dpae_delay_hours BETWEEN 1 AND 8760'))
    .execute();

  await db.schema
    .createTable('rate_profiles')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('basis', t.text, (c) => c.notNull())
    .addColumn('base_amount_cents', t.integer, (c) => c.notNull())
    .addColumn('night_premium_pct', t.integer)
    .addColumn('sunday_premium_pct', t.integer)
    .addColumn('holiday_premium_pct', t.integer)
    .addColumn('overtime_premium_pct', t.integer)
    .addColumn('overtime_weekly_threshold_minutes', t.integer)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('rate_profiles_basis_check', check(`basis IN (${inList(PAY_BASES)})`))
    .addCheckConstraint('rate_profiles_amount_check', check('base_amount_cents >= 0'))
    .execute();
  await db.schema
    .createIndex('rate_profiles_org_name_key')
    .unique()
    .on('rate_profiles')
    .columns(['org_id', 'name'])
    .execute();

  // Which profile applies: a person's default (user only), overridden per role name or per mission (for one
  // person or for everyone on it).
  await db.schema
    .createTable('rate_bindings')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('profile_id', t.uuid, (c) => c.notNull().references('rate_profiles.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('role_name', t.text)
    .addColumn('mission_id', t.uuid, (c) => c.references('missions.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint(
      'rate_bindings_target_check',
      check(
        '(user_id IS NOT NULL OR role_name IS NOT NULL OR mission_id IS NOT NULL) AND NOT (role_name IS NOT NULL AND mission_id IS NOT NULL)',
      ),
    )
    .execute();
  await db.schema.createIndex('rate_bindings_org_idx').on('rate_bindings').column('org_id').execute();

  await db.schema
    .createTable('timesheets')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('assignment_id', t.uuid, (c) => c.notNull().references('assignments.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', t.text, (c) => c.notNull().defaultTo('DRAFT'))
    .addColumn('worked_start', t.timestamp, (c) => c.notNull())
    .addColumn('worked_end', t.timestamp, (c) => c.notNull())
    .addColumn('break_minutes', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('comment', t.text)
    .addColumn('pay_basis', t.text)
    .addColumn('cachets', t.integer)
    .addColumn('submitted_at', t.timestamp)
    .addColumn('decided_at', t.timestamp)
    .addColumn('decided_by', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('sent_back_reason', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('timesheets_status_check', check(`status IN (${inList(TIMESHEET_STATUSES)})`))
    .addCheckConstraint(
      'timesheets_basis_check',
      check(`pay_basis IS NULL OR pay_basis IN (${inList(PAY_BASES)})`),
    )
    .addCheckConstraint('timesheets_times_check', check('worked_end > worked_start'))
    .addCheckConstraint('timesheets_break_check', check('break_minutes >= 0'))
    .addCheckConstraint('timesheets_cachets_check', check('cachets IS NULL OR cachets >= 0'))
    .execute();
  await db.schema
    .createIndex('timesheets_assignment_key')
    .unique()
    .on('timesheets')
    .column('assignment_id')
    .execute();
  await db.schema
    .createIndex('timesheets_org_user_idx')
    .on('timesheets')
    .columns(['org_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('dpae_declarations')
    .addColumn('assignment_id', t.uuid, (c) =>
      c.primaryKey().notNull().references('assignments.id').onDelete('cascade'),
    )
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('declared_at', t.timestamp, (c) => c.notNull())
    .addColumn('reference', t.text)
    .addColumn('recorded_by', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dpae_declarations_org_idx').on('dpae_declarations').column('org_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['dpae_declarations', 'timesheets', 'rate_bindings', 'rate_profiles', 'pay_settings']) {
    await db.schema.dropTable(table).execute();
  }
}
