/**
 * Row types of every table, as Kysely sees them. Times are ISO-8601 UTC strings with `Z` on both dialects;
 * booleans read back as 0/1 on SQLite and true/false on PostgreSQL (see `asBool`); JSON columns read back as
 * text on SQLite and parsed values on PostgreSQL (see `asJson`).
 */
import type { Generated } from 'kysely';

export type Iso = string;
type Bool = boolean | number;

export const MEMBER_ROLES = ['owner', 'admin', 'manager', 'tech'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const PROJECT_STATUSES = ['DRAFT', 'ACTIVE', 'ARCHIVED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const ASSIGNMENT_STATUSES = ['INVITED', 'ACCEPTED', 'DECLINED', 'CANCELLED'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export const EMPLOYMENT_TYPES = ['CDI', 'CDD', 'INTERMITTENT', 'FREELANCE', 'OTHER'] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

export const AVAILABILITY_KINDS = ['AVAILABLE', 'UNAVAILABLE'] as const;
export type AvailabilityKind = (typeof AVAILABILITY_KINDS)[number];

export const RULE_MODES = ['block', 'warn'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

export interface OrgsTable {
  id: string;
  name: string;
  timezone: string;
  /** An upper bound of the org's longest mission (whole minutes, rounded up): raised by mission writes, never lowered. */
  longest_mission_minutes: Generated<number>;
  created_at: Iso;
  updated_at: Iso;
}

export interface AccountsTable {
  id: string;
  email: string;
  password_hash: string;
  active: Bool;
  created_at: Iso;
  updated_at: Iso;
}

export interface OrgMembershipsTable {
  id: string;
  org_id: string;
  account_id: string;
  role: MemberRole;
  created_at: Iso;
}

export interface OrgInvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: MemberRole;
  token_hash: string;
  invited_by: string | null;
  expires_at: Iso;
  accepted_at: Iso | null;
  created_at: Iso;
}

export interface AuthSessionsTable {
  id: string;
  account_id: string;
  org_id: string | null;
  created_at: Iso;
  expires_at: Iso;
  ended_at: Iso | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  created_at: Iso;
  expires_at: Iso;
  rotated_at: Iso | null;
}

export interface PasswordResetTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  created_at: Iso;
  expires_at: Iso;
  used_at: Iso | null;
}

export interface UsersTable {
  id: string;
  org_id: string;
  account_id: string | null;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  employment_type: EmploymentType;
  notes: string | null;
  active: Bool;
  created_at: Iso;
  updated_at: Iso;
}

export interface UserSkillsTable {
  org_id: string;
  user_id: string;
  name: string;
  level: number;
}

export interface UserTagsTable {
  org_id: string;
  user_id: string;
  tag: string;
}

export interface ProjectsTable {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  status: ProjectStatus;
  starts_at: Iso | null;
  ends_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface MissionsTable {
  id: string;
  org_id: string;
  project_id: string;
  title: string;
  starts_at: Iso;
  ends_at: Iso;
  location: string | null;
  notes: string | null;
  published_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface MissionRolesTable {
  id: string;
  org_id: string;
  mission_id: string;
  name: string;
  quota: number;
  skill: string | null;
  min_level: number | null;
  /** Kept by the same statement that accepts, so `accepted_count <= quota` holds under any race. */
  accepted_count: number;
  created_at: Iso;
}

export interface AssignmentsTable {
  id: string;
  org_id: string;
  mission_id: string;
  role_id: string;
  user_id: string;
  status: AssignmentStatus;
  note: string | null;
  reason: string | null;
  invited_by: string | null;
  responded_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface AvailabilityTable {
  id: string;
  org_id: string;
  user_id: string;
  starts_at: Iso;
  ends_at: Iso;
  kind: AvailabilityKind;
  note: string | null;
  created_at: Iso;
}

/** Signed assignment links (table `invitations`, a name kept for compatibility). */
export interface LinksTable {
  id: string;
  org_id: string;
  assignment_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: Iso;
  expires_at: Iso;
  revoked_at: Iso | null;
}

export interface OrgRuleSettingsTable {
  org_id: string;
  rule: string;
  value: number;
  mode: RuleMode;
}

export interface AuditLogTable {
  id: string;
  org_id: string | null;
  actor_account_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  created_at: Iso;
}

export const NOTIFICATION_KINDS = [
  'invitation',
  'assignment_changed',
  'assignment_cancelled',
  'assignment_response',
  'reminder',
  'org_invitation',
  'password_reset',
  'dpae_reminder',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_STATES = ['queued', 'sent', 'failed', 'dead'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

export interface EventsTable {
  /** allocated by the database: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite, identity bigint on PostgreSQL */
  id: Generated<number>;
  org_id: string | null;
  type: string;
  entity_type: string;
  entity_id: string;
  subjects: unknown;
  payload: unknown;
  actor_account_id: string | null;
  request_id: string | null;
  created_at: Iso;
}

export interface EventConsumersTable {
  name: string;
  last_event_id: number;
  updated_at: Iso;
}

export interface NotificationsTable {
  id: string;
  org_id: string | null;
  kind: NotificationKind;
  recipient_email: string;
  user_id: string | null;
  account_id: string | null;
  assignment_id: string | null;
  event_id: number | null;
  coalesce_key: string | null;
  payload: unknown;
  state: NotificationState;
  attempts: number;
  due_at: Iso;
  claimed_until: Iso | null;
  last_error: string | null;
  message_id: string;
  sent_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface OrgNotificationSettingsTable {
  org_id: string;
  language: 'fr' | 'en' | null;
  invitation: Bool;
  assignment_changed: Bool;
  assignment_cancelled: Bool;
  assignment_response: Bool;
  reminder: Bool;
  dpae_reminder: Bool;
  reminder_lead_minutes: number;
  coalesce_seconds: number;
  updated_at: Iso;
}

export interface NotificationOptOutsTable {
  org_id: string;
  user_id: string;
  kind: 'reminder';
  created_at: Iso;
}

export interface DB {
  orgs: OrgsTable;
  accounts: AccountsTable;
  org_memberships: OrgMembershipsTable;
  org_invitations: OrgInvitationsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  password_reset_tokens: PasswordResetTokensTable;
  users: UsersTable;
  user_skills: UserSkillsTable;
  user_tags: UserTagsTable;
  projects: ProjectsTable;
  missions: MissionsTable;
  mission_roles: MissionRolesTable;
  assignments: AssignmentsTable;
  availability: AvailabilityTable;
  invitations: LinksTable;
  org_rule_settings: OrgRuleSettingsTable;
  audit_log: AuditLogTable;
  calendar_feeds: CalendarFeedsTable;
  pay_settings: PaySettingsTable;
  rate_profiles: RateProfilesTable;
  rate_bindings: RateBindingsTable;
  timesheets: TimesheetsTable;
  dpae_declarations: DpaeDeclarationsTable;
  events: EventsTable;
  event_consumers: EventConsumersTable;
  notifications: NotificationsTable;
  org_notification_settings: OrgNotificationSettingsTable;
  notification_opt_outs: NotificationOptOutsTable;
  dpae_reminders: DpaeRemindersTable;
  stream_tickets: StreamTicketsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  person_month_minutes: PersonMonthMinutesTable;
}

/**
 * Migration 20261202_0008: a person's ACCEPTED time on missions starting in one calendar month of the org's time
 * zone (`YYYY-MM`), kept by accept, cancel and mission moves (docs/database.md, "Kept facts").
 */
export interface PersonMonthMinutesTable {
  org_id: string;
  user_id: string;
  month: string;
  /** bigint on PostgreSQL: read back as a string there, `Number()` it */
  accepted_ms: number | string;
}

// Hours and pay (migration 20261201_0005).

export const PAY_BASES = ['HOURLY', 'DAILY', 'CACHET'] as const;
export type PayBasis = (typeof PAY_BASES)[number];

export const TIMESHEET_STATUSES = ['DRAFT', 'SUBMITTED', 'APPROVED', 'SENT_BACK'] as const;
export type TimesheetStatus = (typeof TIMESHEET_STATUSES)[number];

export interface PaySettingsTable {
  org_id: string;
  country: string;
  currency: string;
  /** Minutes after local midnight: the night window runs from start to end, across midnight when end < start. */
  night_start_minute: number;
  night_end_minute: number;
  dpae_delay_hours: number;
  managers_see_amounts: Bool;
  updated_at: Iso;
}

export interface RateProfilesTable {
  id: string;
  org_id: string;
  name: string;
  basis: PayBasis;
  /** Per hour, per day or per cachet, in minor units (cents) of the org's currency. */
  base_amount_cents: number;
  night_premium_pct: number | null;
  sunday_premium_pct: number | null;
  holiday_premium_pct: number | null;
  overtime_premium_pct: number | null;
  overtime_weekly_threshold_minutes: number | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface RateBindingsTable {
  id: string;
  org_id: string;
  profile_id: string;
  user_id: string | null;
  role_name: string | null;
  mission_id: string | null;
  created_at: Iso;
}

export interface TimesheetsTable {
  id: string;
  org_id: string;
  assignment_id: string;
  user_id: string;
  status: TimesheetStatus;
  worked_start: Iso;
  worked_end: Iso;
  break_minutes: number;
  comment: string | null;
  /** null: the basis of the rate profile that applies. */
  pay_basis: PayBasis | null;
  cachets: number | null;
  submitted_at: Iso | null;
  decided_at: Iso | null;
  decided_by: string | null;
  sent_back_reason: string | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface DpaeDeclarationsTable {
  assignment_id: string;
  org_id: string;
  declared_at: Iso;
  reference: string | null;
  recorded_by: string | null;
  created_at: Iso;
}

/** Migration 20261202_0009: an assignment whose DPAE reminder was queued (once per assignment). */
export interface DpaeRemindersTable {
  assignment_id: string;
  org_id: string;
  notification_id: string | null;
  created_at: Iso;
}

/** A secret calendar feed: the account's own (no project) or one project's, for a manager of its org. */
export interface CalendarFeedsTable {
  id: string;
  account_id: string;
  org_id: string | null;
  project_id: string | null;
  token_hash: string;
  created_at: Iso;
  revoked_at: Iso | null;
}

// Live planning (migration 20261201_0007).

/** A single-use ticket that opens one event stream (EventSource cannot send a bearer); only its hash is kept. */
export interface StreamTicketsTable {
  token_hash: string;
  account_id: string;
  session_id: string;
  org_id: string | null;
  expires_at: Iso;
  used_at: Iso | null;
}

/** An org's webhook receiver; its signing secret is derived from the server secret, the id and `secret_version`. */
export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  /** JSON array of event types */
  event_types: unknown;
  enabled: Bool;
  secret_version: number;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: Iso;
  updated_at: Iso;
}

export const WEBHOOK_DELIVERY_STATES = ['queued', 'sent', 'failed', 'dead'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/** One event for one endpoint: the queue (state, due_at, claimed_until) and the delivery log (last_*). */
export interface WebhookDeliveriesTable {
  id: string;
  org_id: string;
  endpoint_id: string;
  event_id: number | string;
  event_type: string;
  body: string;
  state: WebhookDeliveryState;
  attempts: number;
  due_at: Iso;
  claimed_until: Iso | null;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: Iso;
  updated_at: Iso;
}
