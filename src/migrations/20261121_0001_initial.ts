import { sql, type Kysely } from 'kysely';
import { columnTypes, inList } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

const ROLES = ['owner', 'admin', 'manager', 'tech'];
const PROJECT_STATUSES = ['DRAFT', 'ACTIVE', 'ARCHIVED'];
const ASSIGNMENT_STATUSES = ['INVITED', 'ACCEPTED', 'DECLINED', 'CANCELLED'];
const EMPLOYMENT_TYPES = ['CDI', 'CDD', 'INTERMITTENT', 'FREELANCE', 'OTHER'];
const AVAILABILITY_KINDS = ['AVAILABLE', 'UNAVAILABLE'];

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const check = (expression: string) => sql.raw(expression);

  await db.schema
    .createTable('orgs')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('timezone', t.text, (c) => c.notNull().defaultTo('Europe/Paris'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('email', t.text, (c) => c.notNull())
    .addColumn('password_hash', t.text, (c) => c.notNull())
    .addColumn('active', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('accounts_email_lowercase', check('email = lower(email)'))
    .execute();
  await db.schema.createIndex('accounts_email_key').unique().on('accounts').column('email').execute();

  await db.schema
    .createTable('org_memberships')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('account_id', t.uuid, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('org_memberships_role_check', check(`role IN (${inList(ROLES)})`))
    .execute();
  await db.schema
    .createIndex('org_memberships_org_account_key')
    .unique()
    .on('org_memberships')
    .columns(['org_id', 'account_id'])
    .execute();
  await db.schema
    .createIndex('org_memberships_account_idx')
    .on('org_memberships')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('org_invitations')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('email', t.text, (c) => c.notNull())
    .addColumn('role', t.text, (c) => c.notNull())
    .addColumn('token_hash', t.text, (c) => c.notNull())
    .addColumn('invited_by', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('accepted_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('org_invitations_role_check', check(`role IN (${inList(ROLES)})`))
    .execute();
  await db.schema
    .createIndex('org_invitations_token_hash_key')
    .unique()
    .on('org_invitations')
    .column('token_hash')
    .execute();
  await db.schema.createIndex('org_invitations_org_idx').on('org_invitations').column('org_id').execute();

  await db.schema
    .createTable('auth_sessions')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('account_id', t.uuid, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('org_id', t.uuid, (c) => c.references('orgs.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('ended_at', t.timestamp)
    .execute();
  await db.schema.createIndex('auth_sessions_account_idx').on('auth_sessions').column('account_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('session_id', t.uuid, (c) => c.notNull().references('auth_sessions.id').onDelete('cascade'))
    .addColumn('token_hash', t.text, (c) => c.notNull())
    .addColumn('parent_id', t.uuid, (c) => c.references('refresh_tokens.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('rotated_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('refresh_tokens_token_hash_key')
    .unique()
    .on('refresh_tokens')
    .column('token_hash')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_session_idx')
    .on('refresh_tokens')
    .column('session_id')
    .execute();

  await db.schema
    .createTable('password_reset_tokens')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('account_id', t.uuid, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_hash', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('password_reset_tokens_token_hash_key')
    .unique()
    .on('password_reset_tokens')
    .column('token_hash')
    .execute();
  await db.schema
    .createIndex('password_reset_tokens_account_idx')
    .on('password_reset_tokens')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('account_id', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('first_name', t.text, (c) => c.notNull())
    .addColumn('last_name', t.text, (c) => c.notNull())
    .addColumn('email', t.text)
    .addColumn('phone', t.text)
    .addColumn('employment_type', t.text, (c) => c.notNull())
    .addColumn('notes', t.text)
    .addColumn('active', t.boolean, (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint(
      'users_employment_type_check',
      check(`employment_type IN (${inList(EMPLOYMENT_TYPES)})`),
    )
    .execute();
  await db.schema
    .createIndex('users_org_name_idx')
    .on('users')
    .columns(['org_id', 'last_name', 'first_name'])
    .execute();
  await db.schema
    .createIndex('users_org_account_key')
    .unique()
    .on('users')
    .columns(['org_id', 'account_id'])
    .execute();
  await db.schema.createIndex('users_account_idx').on('users').column('account_id').execute();

  await db.schema
    .createTable('user_skills')
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('level', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_skills_pkey', ['user_id', 'name'])
    .addCheckConstraint('user_skills_level_check', check('level BETWEEN 1 AND 5'))
    .execute();
  await db.schema
    .createIndex('user_skills_org_name_idx')
    .on('user_skills')
    .columns(['org_id', 'name', 'level'])
    .execute();

  await db.schema
    .createTable('user_tags')
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('tag', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_tags_pkey', ['user_id', 'tag'])
    .execute();
  await db.schema.createIndex('user_tags_org_tag_idx').on('user_tags').columns(['org_id', 'tag']).execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('status', t.text, (c) => c.notNull().defaultTo('DRAFT'))
    .addColumn('starts_at', t.timestamp)
    .addColumn('ends_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('projects_status_check', check(`status IN (${inList(PROJECT_STATUSES)})`))
    .addCheckConstraint(
      'projects_dates_check',
      check('ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at'),
    )
    .execute();
  await db.schema
    .createIndex('projects_org_name_key')
    .unique()
    .on('projects')
    .columns(['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('missions')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('project_id', t.uuid, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('title', t.text, (c) => c.notNull())
    .addColumn('starts_at', t.timestamp, (c) => c.notNull())
    .addColumn('ends_at', t.timestamp, (c) => c.notNull())
    .addColumn('location', t.text)
    .addColumn('notes', t.text)
    .addColumn('published_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('missions_dates_check', check('ends_at > starts_at'))
    .execute();
  await db.schema
    .createIndex('missions_org_starts_idx')
    .on('missions')
    .columns(['org_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('missions_project_starts_idx')
    .on('missions')
    .columns(['project_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('mission_roles')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('mission_id', t.uuid, (c) => c.notNull().references('missions.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('quota', t.integer, (c) => c.notNull())
    .addColumn('skill', t.text)
    .addColumn('min_level', t.integer)
    .addColumn('accepted_count', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('mission_roles_quota_check', check('quota >= 1'))
    .addCheckConstraint(
      'mission_roles_min_level_check',
      check('min_level IS NULL OR min_level BETWEEN 1 AND 5'),
    )
    .addCheckConstraint(
      'mission_roles_accepted_check',
      check('accepted_count >= 0 AND accepted_count <= quota'),
    )
    .execute();
  await db.schema.createIndex('mission_roles_mission_idx').on('mission_roles').column('mission_id').execute();

  await db.schema
    .createTable('assignments')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('mission_id', t.uuid, (c) => c.notNull().references('missions.id').onDelete('cascade'))
    .addColumn('role_id', t.uuid, (c) => c.notNull().references('mission_roles.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', t.text, (c) => c.notNull().defaultTo('INVITED'))
    .addColumn('note', t.text)
    .addColumn('reason', t.text)
    .addColumn('invited_by', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('responded_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('assignments_status_check', check(`status IN (${inList(ASSIGNMENT_STATUSES)})`))
    .execute();
  // The seeds' key constraint: at most one active assignment per (mission, user).
  await db.schema
    .createIndex('assignments_active_mission_user_key')
    .unique()
    .on('assignments')
    .columns(['mission_id', 'user_id'])
    .where(sql.ref('status'), 'in', ['INVITED', 'ACCEPTED'])
    .execute();
  await db.schema
    .createIndex('assignments_user_status_idx')
    .on('assignments')
    .columns(['user_id', 'status'])
    .execute();
  await db.schema
    .createIndex('assignments_role_status_idx')
    .on('assignments')
    .columns(['role_id', 'status'])
    .execute();
  await db.schema
    .createIndex('assignments_org_status_idx')
    .on('assignments')
    .columns(['org_id', 'status', 'created_at'])
    .execute();

  await db.schema
    .createTable('availability')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', t.uuid, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('starts_at', t.timestamp, (c) => c.notNull())
    .addColumn('ends_at', t.timestamp, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('note', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('availability_kind_check', check(`kind IN (${inList(AVAILABILITY_KINDS)})`))
    .addCheckConstraint('availability_dates_check', check('ends_at > starts_at'))
    .execute();
  await db.schema
    .createIndex('availability_user_starts_idx')
    .on('availability')
    .columns(['user_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('availability_org_starts_idx')
    .on('availability')
    .columns(['org_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('assignment_id', t.uuid, (c) => c.notNull().references('assignments.id').onDelete('cascade'))
    .addColumn('token_hash', t.text, (c) => c.notNull())
    .addColumn('created_by', t.uuid, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('invitations_token_hash_key')
    .unique()
    .on('invitations')
    .column('token_hash')
    .execute();
  await db.schema
    .createIndex('invitations_assignment_idx')
    .on('invitations')
    .column('assignment_id')
    .execute();

  await db.schema
    .createTable('org_rule_settings')
    .addColumn('org_id', t.uuid, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('rule', t.text, (c) => c.notNull())
    .addColumn('value', t.integer, (c) => c.notNull())
    .addColumn('mode', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('org_rule_settings_pkey', ['org_id', 'rule'])
    .addCheckConstraint('org_rule_settings_mode_check', check(`mode IN ('block', 'warn')`))
    .execute();

  // No foreign keys: the audit trail outlives what it describes.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', t.uuid, (c) => c.primaryKey().notNull())
    .addColumn('org_id', t.uuid)
    .addColumn('actor_account_id', t.uuid)
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('entity_type', t.text, (c) => c.notNull())
    .addColumn('entity_id', t.text)
    .addColumn('before', t.json)
    .addColumn('after', t.json)
    .addColumn('request_id', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_log_org_created_idx')
    .on('audit_log')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('audit_log_org_entity_idx')
    .on('audit_log')
    .columns(['org_id', 'entity_type', 'entity_id'])
    .execute();

  // Append-only, enforced by the database itself.
  if (t.isPostgres) {
    await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const tables = [
    'audit_log',
    'org_rule_settings',
    'invitations',
    'availability',
    'assignments',
    'mission_roles',
    'missions',
    'projects',
    'user_tags',
    'user_skills',
    'users',
    'password_reset_tokens',
    'refresh_tokens',
    'auth_sessions',
    'org_invitations',
    'org_memberships',
    'accounts',
    'orgs',
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
  if (t.isPostgres) await sql`DROP FUNCTION audit_log_append_only()`.execute(db);
}
