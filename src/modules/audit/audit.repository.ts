import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Selectable } from 'kysely';
import { asJson, type Executor } from '../../platform/db/database.js';
import type { AuditLogTable } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

/**
 * Reads of the audit log. There is deliberately no update or delete here: rows are written only by
 * `recordAudit` (platform/audit.ts) and the database refuses to change them.
 */
export type AuditRow = Selectable<AuditLogTable>;

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorAccountId?: string | undefined;
  /** created_at >= from */
  from?: string | undefined;
  /** created_at < to */
  to?: string | undefined;
  /** the (created_at, id) of the last row already seen */
  afterKey?: (string | number)[] | undefined;
  take: number;
}

/** The org's rows, newest first: ordered by (created_at desc, id desc). */
export function listAudit(db: Executor, orgId: OrgId, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
  if (filter.entityType !== undefined) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
  if (filter.actorAccountId !== undefined) {
    query = query.where('actor_account_id', '=', filter.actorAccountId);
  }
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
  if (filter.afterKey) query = query.where(after(['created_at', 'id'], filter.afterKey, 'desc'));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.take).execute();
}

export function toAuditEntry(row: AuditRow) {
  return {
    id: row.id,
    org_id: row.org_id!,
    actor_account_id: row.actor_account_id,
    action: row.action,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    before: asJson(row.before),
    after: asJson(row.after),
    request_id: row.request_id,
    created_at: row.created_at,
  };
}
