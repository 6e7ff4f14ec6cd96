import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import { endpointSecret } from './signing.js';
import { assertPublicTarget, RefusedTarget } from './ssrf.js';
import {
  deleteEndpoint,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  requeueDelivery,
  updateEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from './webhooks.repository.js';

export interface WebhookInput {
  url?: string;
  event_types?: string[];
  enabled?: boolean;
}

const view = (e: EndpointRow) => ({
  id: e.id,
  url: e.url,
  event_types: e.event_types,
  enabled: e.enabled,
  disabled_reason: e.disabled_reason,
  consecutive_failures: e.consecutive_failures,
  created_at: e.created_at,
  updated_at: e.updated_at,
});

const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  event_id: d.event_id,
  event_type: d.event_type,
  state: d.state,
  attempts: d.attempts,
  next_attempt_at: d.state === 'queued' || d.state === 'failed' ? d.due_at : null,
  last_status: d.last_status,
  last_latency_ms: d.last_latency_ms,
  last_error: d.last_error,
  created_at: d.created_at,
  updated_at: d.updated_at,
});

/** A receiver URL we may call: http(s), no credentials, and not a private address (now, and at each delivery). */
async function checkedUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation_failed', 'url is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('validation_failed', 'url must be http or https');
  }
  if (url.username || url.password) throw new AppError('validation_failed', 'url must not carry credentials');
  try {
    await assertPublicTarget(url, allowPrivate);
  } catch (error) {
    const reason = error instanceof RefusedTarget ? error.message : `${url.hostname} does not resolve`;
    throw new AppError('validation_failed', `Refused webhook target: ${reason}`);
  }
  return url.toString();
}

export async function createWebhook(
  db: Db,
  deps: { secretKey: string; allowPrivate: boolean },
  scope: OrgScope,
  input: Required<Pick<WebhookInput, 'url' | 'event_types'>> & WebhookInput,
) {
  const url = await checkedUrl(input.url, deps.allowPrivate);
  const now = isoNow();
  const row: EndpointRow = {
    id: newId(),
    org_id: scope.orgId,
    url,
    event_types: input.event_types,
    enabled: input.enabled ?? true,
    secret_version: 1,
    consecutive_failures: 0,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
  };
  await db.transaction().execute(async (tx) => {
    await insertEndpoint(tx, row);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'webhook.create',
      entityType: 'webhook',
      entityId: row.id,
      after: { url, event_types: row.event_types, enabled: row.enabled },
    });
  });
  return { ...view(row), secret: endpointSecret(deps.secretKey, row.id, row.secret_version) };
}

export async function listWebhooks(db: Db, scope: OrgScope) {
  return { items: (await listEndpoints(db, scope.orgId)).map(view) };
}

export async function updateWebhook(
  db: Db,
  allowPrivate: boolean,
  scope: OrgScope,
  id: string,
  input: WebhookInput,
) {
  const url = input.url === undefined ? undefined : await checkedUrl(input.url, allowPrivate);
  return db.transaction().execute(async (tx) => {
    const before = await findEndpoint(tx, scope.orgId, id);
    if (!before) throw notFound('Webhook');
    const now = isoNow();
    const changes = {
      ...(url !== undefined ? { url } : {}),
      ...(input.event_types ? { event_types: input.event_types } : {}),
      // Re-enabling clears the failure state: the admin says the receiver is fixed.
      ...(input.enabled !== undefined
        ? {
            enabled: input.enabled,
            ...(input.enabled ? { consecutive_failures: 0, disabled_reason: null } : {}),
          }
        : {}),
      updated_at: now,
    };
    await updateEndpoint(tx, scope.orgId, id, changes);
    const after = { ...before, ...changes };
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'webhook.update',
      entityType: 'webhook',
      entityId: id,
      before: { url: before.url, event_types: before.event_types, enabled: before.enabled },
      after: { url: after.url, event_types: after.event_types, enabled: after.enabled },
    });
    return view(after);
  });
}

export async function removeWebhook(db: Db, scope: OrgScope, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await findEndpoint(tx, scope.orgId, id);
    if (!before) throw notFound('Webhook');
    await deleteEndpoint(tx, scope.orgId, id);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'webhook.delete',
      entityType: 'webhook',
      entityId: id,
      before: { url: before.url, event_types: before.event_types },
    });
  });
}

export async function webhookDeliveries(db: Db, scope: OrgScope, id: string, limit: number) {
  if (!(await findEndpoint(db, scope.orgId, id))) throw notFound('Webhook');
  return { items: (await listDeliveries(db, scope.orgId, id, limit)).map(deliveryView) };
}

/** Queues a delivery again, due now, with a fresh retry schedule (sent once the endpoint is enabled). */
export async function redeliver(db: Db, scope: OrgScope, webhookId: string, deliveryId: string) {
  return db.transaction().execute(async (tx) => {
    const delivery = await findDelivery(tx, scope.orgId, webhookId, deliveryId);
    if (!delivery) throw notFound('Delivery');
    const now = isoNow();
    await requeueDelivery(tx, scope.orgId, deliveryId, now);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'webhook.redeliver',
      entityType: 'webhook_delivery',
      entityId: deliveryId,
      before: { state: delivery.state, attempts: delivery.attempts },
    });
    return deliveryView({ ...delivery, state: 'queued', attempts: 0, due_at: now, updated_at: now });
  });
}
