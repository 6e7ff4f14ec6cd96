import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { listAudit, toAuditEntry } from './audit.repository.js';

export type AuditEntry = ReturnType<typeof toAuditEntry>;

export interface AuditQueryInput {
  entity_type?: string | undefined;
  entity_id?: string | undefined;
  actor?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function isoOf(value: string, path: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new AppError('validation_failed', `querystring${path}: is not a valid time`, {
      errors: [{ location: 'querystring', path, message: 'is not a valid time' }],
    });
  }
  return new Date(ms).toISOString();
}

/** One page of the org's audit log, newest first. Read-only: the log has no update or delete. */
export async function listAuditPage(
  db: Db,
  scope: OrgScope,
  input: AuditQueryInput,
): Promise<Page<AuditEntry>> {
  const { orgId } = scope;
  const from = input.from === undefined ? undefined : isoOf(input.from, '/from');
  const to = input.to === undefined ? undefined : isoOf(input.to, '/to');
  if (from !== undefined && to !== undefined && to <= from) {
    throw new AppError('validation_failed', 'querystring/to: must be after from', {
      errors: [{ location: 'querystring', path: '/to', message: 'must be after from' }],
    });
  }
  const afterKey = input.cursor === undefined ? undefined : decodeCursor(input.cursor, ['time', 'uuid']);
  const rows = await listAudit(db, orgId, {
    entityType: input.entity_type,
    entityId: input.entity_id,
    actorAccountId: input.actor,
    from,
    to,
    afterKey,
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, (row) => [row.created_at, row.id], toAuditEntry);
}
