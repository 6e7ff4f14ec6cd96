import { newId, isoNow } from './clock.js';
import { toJson, type Executor } from './db/database.js';
import type { OrgScope } from './auth/org-scope.js';

/**
 * Who does something, in which request: the part of an {@link OrgScope} the audit trail records. Every OrgScope
 * is an Actor; outside an org (login, password reset, creating an org) `actorOf(request)` gives one.
 */
export type Actor = Pick<OrgScope, 'accountId' | 'requestId'>;

/**
 * The closed list of what the audit trail records, `<entity>.<verb>`. A new kind of change adds one line here;
 * `recordAudit` accepts nothing else. Readers filter on these strings, so a shipped name never changes.
 */
export const AUDIT_ACTIONS = [
  'account.create',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'auth.password_reset',
  'auth.password_set',
  'auth.refresh_reuse',
  'auth.reset_requested',
  'auth.switch_org',
  'org.create',
  'org.update',
  'member.add',
  'member.invite',
  'member.join',
  'member.remove',
  'member.role_change',
  'user.create',
  'user.update',
  'user.delete',
  'user.account_link',
  'availability.create',
  'availability.delete',
  'project.create',
  'project.update',
  'project.delete',
  'mission.create',
  'mission.bulk_create',
  'mission.update',
  'mission.duplicate',
  'mission.publish',
  'mission.delete',
  'role.create',
  'role.update',
  'role.delete',
  'assignment.invite',
  'assignment.accept',
  'assignment.decline',
  'assignment.cancel',
  'assignment.link_create',
  'assignment.link_revoke',
  'assignment.dpae',
  'settings.rules_update',
  'notification.opt_out',
  'notification.retry',
  'notification_settings.update',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.redeliver',
  'calendar_feed.create',
  'calendar_feed.rotate',
  'calendar_feed.create',
  'calendar_feed.rotate',
  'calendar_feed.revoke',
  'pay_settings.update',
  'rate_profile.create',
  'rate_profile.update',
  'rate_profile.delete',
  'rate_binding.create',
  'rate_binding.delete',
  'timesheet.create',
  'timesheet.update',
  'timesheet.submit',
  'timesheet.approve',
  'timesheet.send_back',
  'timesheet.reopen',
  'demo.seed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  orgId: string | null;
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends audit rows, one per entry, in one statement. Call it with the transaction that makes the change, so the
 * change and its record commit or roll back together. There is no update or delete of audit rows, here or anywhere.
 */
export async function recordAudit(tx: Executor, actor: Actor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const now = isoNow();
  await tx
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        id: newId(),
        org_id: entry.orgId,
        actor_account_id: actor.accountId,
        action: entry.action,
        entity_type: entry.entityType,
        entity_id: entry.entityId,
        before: toJson(entry.before),
        after: toJson(entry.after),
        request_id: actor.requestId,
        created_at: now,
      })),
    )
    .execute();
}
