import { PostgresAdapter } from 'kysely';
import type { OrgId } from '../../platform/auth/org-scope.js';
import { asBool, asJson, toJson, type Executor } from '../../platform/db/database.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../../platform/db/tables.js';

const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

export interface EndpointRow extends Omit<WebhookEndpointsTable, 'event_types' | 'enabled'> {
  event_types: string[];
  enabled: boolean;
}

const parseEndpoint = (row: WebhookEndpointsTable): EndpointRow => ({
  ...row,
  event_types: asJson<string[]>(row.event_types) ?? [],
  enabled: asBool(row.enabled),
});

export async function insertEndpoint(db: Executor, row: EndpointRow): Promise<void> {
  await db
    .insertInto('webhook_endpoints')
    .values({ ...row, event_types: toJson(row.event_types)!, enabled: row.enabled })
    .execute();
}

export async function listEndpoints(db: Executor, orgId: OrgId): Promise<EndpointRow[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(parseEndpoint);
}

export async function findEndpoint(db: Executor, orgId: OrgId, id: string): Promise<EndpointRow | null> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? parseEndpoint(row) : null;
}

export async function updateEndpoint(
  db: Executor,
  orgId: OrgId,
  id: string,
  changes: Partial<
    Pick<EndpointRow, 'url' | 'event_types' | 'enabled' | 'consecutive_failures' | 'disabled_reason'>
  > & {
    updated_at: string;
  },
): Promise<void> {
  const { event_types, ...rest } = changes;
  await db
    .updateTable('webhook_endpoints')
    .set({ ...rest, ...(event_types ? { event_types: toJson(event_types)! } : {}) })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function deleteEndpoint(db: Executor, orgId: OrgId, id: string): Promise<void> {
  await db.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** The enabled endpoints of these orgs, for the planner. */
export async function enabledEndpoints(db: Executor, orgIds: string[]): Promise<EndpointRow[]> {
  if (orgIds.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', 'in', orgIds)
    .where('enabled', '=', true)
    .execute();
  return rows.map(parseEndpoint);
}

export type DeliveryRow = Omit<WebhookDeliveriesTable, 'event_id'> & { event_id: number };
const parseDelivery = (row: WebhookDeliveriesTable): DeliveryRow => ({
  ...row,
  event_id: Number(row.event_id),
});

/** Once per (endpoint, event): a second planner's insert of the same pair does nothing. */
export async function insertDeliveries(db: Executor, rows: WebhookDeliveriesTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
    .execute();
}

/**
 * Claims due deliveries of enabled endpoints for a lease, like the notification queue's `claimDue`: on PostgreSQL
 * with `FOR UPDATE SKIP LOCKED`, so two instances never send the same one; a dead instance's lease runs out.
 */
export async function claimDueDeliveries(db: Executor, now: string, leaseUntil: string, limit: number) {
  const due = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('state', 'in', ['queued', 'failed'])
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .where('endpoint_id', 'in', (eb) =>
      eb.selectFrom('webhook_endpoints').select('id').where('enabled', '=', true),
    )
    .orderBy('due_at')
    .limit(limit);
  const rows = await db
    .updateTable('webhook_deliveries')
    .set({ claimed_until: leaseUntil })
    .where('id', 'in', isPostgres(db) ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  return rows.map(parseDelivery);
}

export async function recordAttempt(
  db: Executor,
  id: string,
  attempt: Pick<
    WebhookDeliveriesTable,
    'state' | 'attempts' | 'due_at' | 'last_status' | 'last_latency_ms' | 'last_error' | 'updated_at'
  >,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ ...attempt, claimed_until: null })
    .where('id', '=', id)
    .execute();
}

/**
 * Retention: deletes up to `limit` deliveries sent (acknowledged by the endpoint) before `sentBefore`. Queued,
 * failed (awaiting a retry) and dead ones (an admin may requeue them) are never deleted. Returns how many.
 */
export async function pruneSentDeliveries(db: Executor, sentBefore: string, limit: number): Promise<number> {
  const old = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('state', '=', 'sent')
    .where('updated_at', '<', sentBefore)
    .limit(limit);
  const result = await db.deleteFrom('webhook_deliveries').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listDeliveries(db: Executor, orgId: OrgId, endpointId: string, limit: number) {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .orderBy('event_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(parseDelivery);
}

export async function findDelivery(db: Executor, orgId: OrgId, endpointId: string, id: string) {
  const row = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? parseDelivery(row) : null;
}

export async function requeueDelivery(db: Executor, orgId: OrgId, id: string, now: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'queued', attempts: 0, due_at: now, claimed_until: null, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function findEndpointById(db: Executor, id: string): Promise<EndpointRow | null> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? parseEndpoint(row) : null;
}
