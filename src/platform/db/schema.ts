/**
 * The schema the code expects, declared once, independently of the migrations that build it.
 * `crew db check` and the drift test compare a migrated database with this declaration (the seed's
 * Alembic-vs-models test). Column notation: a logical type, with `?` when the column is nullable.
 */
export type LogicalType = 'uuid' | 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamp' | 'json';
type ColumnNotation = LogicalType | `${LogicalType}?`;
export type OnDelete = 'cascade' | 'set null' | 'no action';

export interface IndexSpec {
  name: string;
  columns: string[];
  unique?: boolean;
  where?: string;
}

export interface ForeignKeySpec {
  columns: string[];
  table: string;
  refColumns: string[];
  onDelete: OnDelete;
}

export interface TableSpec {
  columns: Record<string, ColumnNotation>;
  primaryKey: string[];
  indexes: IndexSpec[];
  foreignKeys: ForeignKeySpec[];
}

const fk = (column: string, table: string, onDelete: OnDelete = 'cascade'): ForeignKeySpec => ({
  columns: [column],
  table,
  refColumns: ['id'],
  onDelete,
});
const index = (name: string, columns: string[], extra: Partial<IndexSpec> = {}): IndexSpec => ({
  name,
  columns,
  ...extra,
});
const unique = (name: string, columns: string[]) => index(name, columns, { unique: true });

export const declaredSchema: Record<string, TableSpec> = {
  orgs: {
    columns: {
      id: 'uuid',
      name: 'text',
      timezone: 'text',
      longest_mission_minutes: 'integer',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
  },
  accounts: {
    columns: {
      id: 'uuid',
      email: 'text',
      password_hash: 'text',
      active: 'boolean',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [unique('accounts_email_key', ['email'])],
    foreignKeys: [],
  },
  org_memberships: {
    columns: { id: 'uuid', org_id: 'uuid', account_id: 'uuid', role: 'text', created_at: 'timestamp' },
    primaryKey: ['id'],
    indexes: [
      unique('org_memberships_org_account_key', ['org_id', 'account_id']),
      index('org_memberships_account_idx', ['account_id']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('account_id', 'accounts')],
  },
  org_invitations: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      email: 'text',
      role: 'text',
      token_hash: 'text',
      invited_by: 'uuid?',
      expires_at: 'timestamp',
      accepted_at: 'timestamp?',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      unique('org_invitations_token_hash_key', ['token_hash']),
      index('org_invitations_org_idx', ['org_id']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('invited_by', 'accounts', 'set null')],
  },
  auth_sessions: {
    columns: {
      id: 'uuid',
      account_id: 'uuid',
      org_id: 'uuid?',
      created_at: 'timestamp',
      expires_at: 'timestamp',
      ended_at: 'timestamp?',
    },
    primaryKey: ['id'],
    indexes: [index('auth_sessions_account_idx', ['account_id'])],
    foreignKeys: [fk('account_id', 'accounts'), fk('org_id', 'orgs', 'set null')],
  },
  refresh_tokens: {
    columns: {
      id: 'uuid',
      session_id: 'uuid',
      token_hash: 'text',
      parent_id: 'uuid?',
      created_at: 'timestamp',
      expires_at: 'timestamp',
      rotated_at: 'timestamp?',
    },
    primaryKey: ['id'],
    indexes: [
      unique('refresh_tokens_token_hash_key', ['token_hash']),
      index('refresh_tokens_session_idx', ['session_id']),
    ],
    foreignKeys: [fk('session_id', 'auth_sessions'), fk('parent_id', 'refresh_tokens', 'set null')],
  },
  password_reset_tokens: {
    columns: {
      id: 'uuid',
      account_id: 'uuid',
      token_hash: 'text',
      created_at: 'timestamp',
      expires_at: 'timestamp',
      used_at: 'timestamp?',
    },
    primaryKey: ['id'],
    indexes: [
      unique('password_reset_tokens_token_hash_key', ['token_hash']),
      index('password_reset_tokens_account_idx', ['account_id']),
    ],
    foreignKeys: [fk('account_id', 'accounts')],
  },
  users: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      account_id: 'uuid?',
      first_name: 'text',
      last_name: 'text',
      email: 'text?',
      phone: 'text?',
      employment_type: 'text',
      notes: 'text?',
      active: 'boolean',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('users_org_name_idx', ['org_id', 'last_name', 'first_name']),
      unique('users_org_account_key', ['org_id', 'account_id']),
      index('users_account_idx', ['account_id']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('account_id', 'accounts', 'set null')],
  },
  user_skills: {
    columns: { org_id: 'uuid', user_id: 'uuid', name: 'text', level: 'integer' },
    primaryKey: ['user_id', 'name'],
    indexes: [index('user_skills_org_name_idx', ['org_id', 'name', 'level'])],
    foreignKeys: [fk('org_id', 'orgs'), fk('user_id', 'users')],
  },
  user_tags: {
    columns: { org_id: 'uuid', user_id: 'uuid', tag: 'text' },
    primaryKey: ['user_id', 'tag'],
    indexes: [index('user_tags_org_tag_idx', ['org_id', 'tag'])],
    foreignKeys: [fk('org_id', 'orgs'), fk('user_id', 'users')],
  },
  projects: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      name: 'text',
      description: 'text?',
      status: 'text',
      starts_at: 'timestamp?',
      ends_at: 'timestamp?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [unique('projects_org_name_key', ['org_id', 'name'])],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  missions: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      project_id: 'uuid',
      title: 'text',
      starts_at: 'timestamp',
      ends_at: 'timestamp',
      location: 'text?',
      notes: 'text?',
      published_at: 'timestamp?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('missions_org_starts_idx', ['org_id', 'starts_at']),
      index('missions_starts_idx', ['starts_at']),
      index('missions_project_starts_idx', ['project_id', 'starts_at']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('project_id', 'projects')],
  },
  mission_roles: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      mission_id: 'uuid',
      name: 'text',
      quota: 'integer',
      skill: 'text?',
      min_level: 'integer?',
      accepted_count: 'integer',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [index('mission_roles_mission_idx', ['mission_id'])],
    foreignKeys: [fk('org_id', 'orgs'), fk('mission_id', 'missions')],
  },
  assignments: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      mission_id: 'uuid',
      role_id: 'uuid',
      user_id: 'uuid',
      status: 'text',
      note: 'text?',
      reason: 'text?',
      invited_by: 'uuid?',
      responded_at: 'timestamp?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('assignments_active_mission_user_key', ['mission_id', 'user_id'], {
        unique: true,
        where: "status IN ('INVITED', 'ACCEPTED')",
      }),
      index('assignments_user_status_mission_idx', ['user_id', 'status', 'mission_id', 'id']),
      index('assignments_role_status_idx', ['role_id', 'status']),
      index('assignments_mission_idx', ['mission_id', 'id']),
      index('assignments_org_status_idx', ['org_id', 'status', 'created_at']),
    ],
    foreignKeys: [
      fk('org_id', 'orgs'),
      fk('mission_id', 'missions'),
      fk('role_id', 'mission_roles'),
      fk('user_id', 'users'),
      fk('invited_by', 'accounts', 'set null'),
    ],
  },
  availability: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      user_id: 'uuid',
      starts_at: 'timestamp',
      ends_at: 'timestamp',
      kind: 'text',
      note: 'text?',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('availability_user_starts_idx', ['user_id', 'starts_at']),
      index('availability_org_starts_idx', ['org_id', 'starts_at']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('user_id', 'users')],
  },
  invitations: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      assignment_id: 'uuid',
      token_hash: 'text',
      created_by: 'uuid?',
      created_at: 'timestamp',
      expires_at: 'timestamp',
      revoked_at: 'timestamp?',
    },
    primaryKey: ['id'],
    indexes: [
      unique('invitations_token_hash_key', ['token_hash']),
      index('invitations_assignment_idx', ['assignment_id']),
    ],
    foreignKeys: [
      fk('org_id', 'orgs'),
      fk('assignment_id', 'assignments'),
      fk('created_by', 'accounts', 'set null'),
    ],
  },
  org_rule_settings: {
    columns: { org_id: 'uuid', rule: 'text', value: 'integer', mode: 'text' },
    primaryKey: ['org_id', 'rule'],
    indexes: [],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  audit_log: {
    columns: {
      id: 'uuid',
      org_id: 'uuid?',
      actor_account_id: 'uuid?',
      action: 'text',
      entity_type: 'text',
      entity_id: 'text?',
      before: 'json?',
      after: 'json?',
      request_id: 'text?',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('audit_log_org_created_idx', ['org_id', 'created_at']),
      index('audit_log_org_entity_idx', ['org_id', 'entity_type', 'entity_id']),
    ],
    foreignKeys: [],
  },
  // Hours and pay (migration 20261201_0005).
  pay_settings: {
    columns: {
      org_id: 'uuid',
      country: 'text',
      currency: 'text',
      night_start_minute: 'integer',
      night_end_minute: 'integer',
      dpae_delay_hours: 'integer',
      managers_see_amounts: 'boolean',
      updated_at: 'timestamp',
    },
    primaryKey: ['org_id'],
    indexes: [],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  rate_profiles: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      name: 'text',
      basis: 'text',
      base_amount_cents: 'integer',
      night_premium_pct: 'integer?',
      sunday_premium_pct: 'integer?',
      holiday_premium_pct: 'integer?',
      overtime_premium_pct: 'integer?',
      overtime_weekly_threshold_minutes: 'integer?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [unique('rate_profiles_org_name_key', ['org_id', 'name'])],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  rate_bindings: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      profile_id: 'uuid',
      user_id: 'uuid?',
      role_name: 'text?',
      mission_id: 'uuid?',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [index('rate_bindings_org_idx', ['org_id'])],
    foreignKeys: [
      fk('org_id', 'orgs'),
      fk('profile_id', 'rate_profiles'),
      fk('user_id', 'users'),
      fk('mission_id', 'missions'),
    ],
  },
  timesheets: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      assignment_id: 'uuid',
      user_id: 'uuid',
      status: 'text',
      worked_start: 'timestamp',
      worked_end: 'timestamp',
      break_minutes: 'integer',
      comment: 'text?',
      pay_basis: 'text?',
      cachets: 'integer?',
      submitted_at: 'timestamp?',
      decided_at: 'timestamp?',
      decided_by: 'uuid?',
      sent_back_reason: 'text?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      unique('timesheets_assignment_key', ['assignment_id']),
      index('timesheets_org_user_idx', ['org_id', 'user_id']),
    ],
    foreignKeys: [
      fk('org_id', 'orgs'),
      fk('assignment_id', 'assignments'),
      fk('user_id', 'users'),
      fk('decided_by', 'accounts', 'set null'),
    ],
  },
  dpae_declarations: {
    columns: {
      assignment_id: 'uuid',
      org_id: 'uuid',
      declared_at: 'timestamp',
      reference: 'text?',
      recorded_by: 'uuid?',
      created_at: 'timestamp',
    },
    primaryKey: ['assignment_id'],
    indexes: [index('dpae_declarations_org_idx', ['org_id'])],
    foreignKeys: [
      fk('assignment_id', 'assignments'),
      fk('org_id', 'orgs'),
      fk('recorded_by', 'accounts', 'set null'),
    ],
  },
  events: {
    columns: {
      id: 'bigint',
      org_id: 'uuid?',
      type: 'text',
      entity_type: 'text',
      entity_id: 'text',
      subjects: 'json',
      payload: 'json',
      actor_account_id: 'uuid?',
      request_id: 'text?',
      created_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [index('events_org_id_idx', ['org_id', 'id']), index('events_created_idx', ['created_at'])],
    foreignKeys: [],
  },
  event_consumers: {
    columns: { name: 'text', last_event_id: 'bigint', updated_at: 'timestamp' },
    primaryKey: ['name'],
    indexes: [],
    foreignKeys: [],
  },
  notifications: {
    columns: {
      id: 'uuid',
      org_id: 'uuid?',
      kind: 'text',
      recipient_email: 'text',
      user_id: 'uuid?',
      account_id: 'uuid?',
      assignment_id: 'uuid?',
      event_id: 'bigint?',
      coalesce_key: 'text?',
      payload: 'json',
      state: 'text',
      attempts: 'integer',
      due_at: 'timestamp',
      claimed_until: 'timestamp?',
      last_error: 'text?',
      message_id: 'text',
      sent_at: 'timestamp?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      index('notifications_due_idx', ['state', 'due_at']),
      index('notifications_org_created_idx', ['org_id', 'created_at', 'id']),
      index('notifications_coalesce_idx', ['coalesce_key', 'state']),
      index('notifications_assignment_kind_state_idx', ['assignment_id', 'kind', 'state']),
    ],
    foreignKeys: [
      fk('org_id', 'orgs'),
      fk('user_id', 'users'),
      fk('account_id', 'accounts'),
      fk('assignment_id', 'assignments'),
    ],
  },
  org_notification_settings: {
    columns: {
      org_id: 'uuid',
      language: 'text?',
      invitation: 'boolean',
      assignment_changed: 'boolean',
      assignment_cancelled: 'boolean',
      assignment_response: 'boolean',
      reminder: 'boolean',
      dpae_reminder: 'boolean',
      reminder_lead_minutes: 'integer',
      coalesce_seconds: 'integer',
      updated_at: 'timestamp',
    },
    primaryKey: ['org_id'],
    indexes: [],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  dpae_reminders: {
    columns: { assignment_id: 'uuid', org_id: 'uuid', notification_id: 'uuid?', created_at: 'timestamp' },
    primaryKey: ['assignment_id'],
    indexes: [],
    foreignKeys: [fk('assignment_id', 'assignments'), fk('org_id', 'orgs')],
  },
  notification_opt_outs: {
    columns: { org_id: 'uuid', user_id: 'uuid', kind: 'text', created_at: 'timestamp' },
    primaryKey: ['user_id', 'kind'],
    indexes: [],
    foreignKeys: [fk('org_id', 'orgs'), fk('user_id', 'users')],
  },
  calendar_feeds: {
    columns: {
      id: 'uuid',
      account_id: 'uuid',
      org_id: 'uuid?',
      project_id: 'uuid?',
      token_hash: 'text',
      created_at: 'timestamp',
      revoked_at: 'timestamp?',
    },
    primaryKey: ['id'],
    indexes: [
      unique('calendar_feeds_token_hash_key', ['token_hash']),
      index('calendar_feeds_account_idx', ['account_id', 'project_id']),
    ],
    foreignKeys: [fk('account_id', 'accounts'), fk('org_id', 'orgs'), fk('project_id', 'projects')],
  },
  // Live planning (migration 20261201_0007).
  stream_tickets: {
    columns: {
      token_hash: 'text',
      account_id: 'uuid',
      session_id: 'uuid',
      org_id: 'uuid?',
      expires_at: 'timestamp',
      used_at: 'timestamp?',
    },
    primaryKey: ['token_hash'],
    indexes: [index('stream_tickets_expires_idx', ['expires_at'])],
    foreignKeys: [fk('account_id', 'accounts'), fk('org_id', 'orgs')],
  },
  webhook_endpoints: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      url: 'text',
      event_types: 'json',
      enabled: 'boolean',
      secret_version: 'integer',
      consecutive_failures: 'integer',
      disabled_reason: 'text?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [index('webhook_endpoints_org_idx', ['org_id'])],
    foreignKeys: [fk('org_id', 'orgs')],
  },
  webhook_deliveries: {
    columns: {
      id: 'uuid',
      org_id: 'uuid',
      endpoint_id: 'uuid',
      event_id: 'bigint',
      event_type: 'text',
      body: 'text',
      state: 'text',
      attempts: 'integer',
      due_at: 'timestamp',
      claimed_until: 'timestamp?',
      last_status: 'integer?',
      last_latency_ms: 'integer?',
      last_error: 'text?',
      created_at: 'timestamp',
      updated_at: 'timestamp',
    },
    primaryKey: ['id'],
    indexes: [
      unique('webhook_deliveries_endpoint_event_key', ['endpoint_id', 'event_id']),
      index('webhook_deliveries_due_idx', ['state', 'due_at']),
    ],
    foreignKeys: [fk('org_id', 'orgs'), fk('endpoint_id', 'webhook_endpoints')],
  },
};

// Kept facts (migration 20261202_0008): accepted time per person and month of the org's time zone.
declaredSchema.person_month_minutes = {
  columns: { org_id: 'uuid', user_id: 'uuid', month: 'text', accepted_ms: 'bigint' },
  primaryKey: ['user_id', 'month'],
  indexes: [index('person_month_minutes_org_month_idx', ['org_id', 'month'])],
  foreignKeys: [fk('org_id', 'orgs'), fk('user_id', 'users')],
};

/**
 * Same-org keys (migration 20261201_0006): every reference between org-owned tables also goes through
 * (org_id, x_id) → (org_id, id), an assignment's role through (mission_id, role_id) → mission_roles(mission_id,
 * id), so the database itself refuses a row pointing into another org. Declared here, apart from the tables
 * above, so a table added later states its own.
 */
const SAME_ORG_PARENTS: [table: string, key: string, columns: string[]][] = [
  ['users', 'users_org_id_key', ['org_id', 'id']],
  ['projects', 'projects_org_id_key', ['org_id', 'id']],
  ['missions', 'missions_org_id_key', ['org_id', 'id']],
  ['mission_roles', 'mission_roles_mission_id_key', ['mission_id', 'id']],
  ['assignments', 'assignments_org_id_key', ['org_id', 'id']],
  ['rate_profiles', 'rate_profiles_org_id_key', ['org_id', 'id']],
  ['webhook_endpoints', 'webhook_endpoints_org_id_key', ['org_id', 'id']],
];
const SAME_ORG_REFERENCES: [table: string, column: string, parent: string][] = [
  ['user_skills', 'user_id', 'users'],
  ['user_tags', 'user_id', 'users'],
  ['missions', 'project_id', 'projects'],
  ['mission_roles', 'mission_id', 'missions'],
  ['assignments', 'mission_id', 'missions'],
  ['assignments', 'user_id', 'users'],
  ['availability', 'user_id', 'users'],
  ['invitations', 'assignment_id', 'assignments'],
  ['rate_bindings', 'profile_id', 'rate_profiles'],
  ['rate_bindings', 'user_id', 'users'],
  ['rate_bindings', 'mission_id', 'missions'],
  ['timesheets', 'assignment_id', 'assignments'],
  ['timesheets', 'user_id', 'users'],
  ['dpae_declarations', 'assignment_id', 'assignments'],
  ['notifications', 'user_id', 'users'],
  ['notifications', 'assignment_id', 'assignments'],
  ['notification_opt_outs', 'user_id', 'users'],
  ['calendar_feeds', 'project_id', 'projects'],
  ['webhook_deliveries', 'endpoint_id', 'webhook_endpoints'],
  ['person_month_minutes', 'user_id', 'users'],
];
for (const [table, key, columns] of SAME_ORG_PARENTS)
  declaredSchema[table]!.indexes.push(unique(key, columns));
for (const [table, column, parent] of SAME_ORG_REFERENCES) {
  declaredSchema[table]!.foreignKeys.push({
    columns: ['org_id', column],
    table: parent,
    refColumns: ['org_id', 'id'],
    onDelete: 'cascade',
  });
}
declaredSchema.assignments!.foreignKeys.push({
  columns: ['mission_id', 'role_id'],
  table: 'mission_roles',
  refColumns: ['mission_id', 'id'],
  onDelete: 'cascade',
});
