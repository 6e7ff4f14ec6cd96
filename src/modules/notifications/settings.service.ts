import { recordAudit } from '../../platform/audit.js';
import type { OrgId, OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow } from '../../platform/clock.js';
import { asBool, type Db, type Executor } from '../../platform/db/database.js';
import type { OrgNotificationSettingsTable } from '../../platform/db/tables.js';
import { notFound } from '../../platform/errors.js';
import { defaultLanguage, type Language } from '../../platform/human-time.js';
import { findOrgSettings, findSettingsRow, upsertSettingsRow } from './settings.repository.js';

/** The kinds an org can switch off. Account mails (org invitation, password reset) always go out. */
export const SWITCHABLE_KINDS = [
  'invitation',
  'assignment_changed',
  'assignment_cancelled',
  'assignment_response',
  'reminder',
  'dpae_reminder',
] as const;
export type SwitchableKind = (typeof SWITCHABLE_KINDS)[number];

export interface NotificationSettings extends Record<SwitchableKind, boolean> {
  language: Language;
  /** true while the org has not chosen: the language then follows the time zone */
  language_is_default: boolean;
  timezone: string;
  org_name: string;
  reminder_lead_minutes: number;
  coalesce_seconds: number;
}

export const DEFAULT_REMINDER_LEAD_MINUTES = 24 * 60;
export const DEFAULT_COALESCE_SECONDS = 120;

/** The org's settings, defaults filled in; null for an unknown org. */
export async function settingsOf(db: Executor, orgId: OrgId): Promise<NotificationSettings | null> {
  const org = await findOrgSettings(db, orgId);
  if (!org) return null;
  const stored = org.settings_org_id !== null;
  const kinds = Object.fromEntries(
    SWITCHABLE_KINDS.map((kind) => [kind, stored ? asBool(org[kind]!) : true]),
  ) as Record<SwitchableKind, boolean>;
  return {
    ...kinds,
    language: org.language ?? defaultLanguage(org.timezone),
    language_is_default: !org.language,
    timezone: org.timezone,
    org_name: org.name,
    reminder_lead_minutes: org.reminder_lead_minutes ?? DEFAULT_REMINDER_LEAD_MINUTES,
    coalesce_seconds: org.coalesce_seconds ?? DEFAULT_COALESCE_SECONDS,
  };
}

export type SettingsPatch = Partial<Record<SwitchableKind, boolean>> & {
  language?: Language | null;
  reminder_lead_minutes?: number;
  coalesce_seconds?: number;
};

export function toSettingsView(settings: NotificationSettings) {
  const { org_name: _name, timezone: _zone, ...view } = settings;
  return view;
}

export async function updateSettings(db: Db, scope: OrgScope, patch: SettingsPatch) {
  return db.transaction().execute(async (tx) => {
    const before = await settingsOf(tx, scope.orgId);
    if (!before) throw notFound('Org');
    const stored = await findSettingsRow(tx, scope.orgId);
    const row: OrgNotificationSettingsTable = {
      org_id: scope.orgId,
      language: patch.language !== undefined ? patch.language : (stored?.language ?? null),
      invitation: patch.invitation ?? before.invitation,
      assignment_changed: patch.assignment_changed ?? before.assignment_changed,
      assignment_cancelled: patch.assignment_cancelled ?? before.assignment_cancelled,
      assignment_response: patch.assignment_response ?? before.assignment_response,
      reminder: patch.reminder ?? before.reminder,
      dpae_reminder: patch.dpae_reminder ?? before.dpae_reminder,
      reminder_lead_minutes: patch.reminder_lead_minutes ?? before.reminder_lead_minutes,
      coalesce_seconds: patch.coalesce_seconds ?? before.coalesce_seconds,
      updated_at: isoNow(),
    };
    await upsertSettingsRow(tx, row);
    const after = (await settingsOf(tx, scope.orgId))!;
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'notification_settings.update',
      entityType: 'org',
      entityId: scope.orgId,
      before: toSettingsView(before),
      after: toSettingsView(after),
    });
    return toSettingsView(after);
  });
}
