import { newId, isoNow } from './clock.js';
import { toJson, type Executor } from './db/database.js';
import type { OrgScope } from './auth/org-scope.js';

/**
 * Who does something, in which request: the part of an {@link OrgScope} the audit trail records. Every OrgScope
 * is an Actor; outside an org (login, password reset, creating an org) `actorOf(request)` gives one.
 */
export type Actor = Pick<OrgScope, 'accountId' | 'requestId'>;

export interface AuditEntry {
  orgId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends one audit row. Call it with the transaction that makes the change, so the change and its record
 * commit or roll back together. There is no update or delete of audit rows, here or anywhere.
 */
export async function recordAudit(tx: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      id: newId(),
      org_id: entry.orgId,
      actor_account_id: actor.accountId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: toJson(entry.before),
      after: toJson(entry.after),
      request_id: actor.requestId,
      created_at: isoNow(),
    })
    .execute();
}
