import type { FastifyBaseLogger } from 'fastify';
import { trustedOrgId } from '../../platform/auth/org-scope.js';
import { inFlight, poller } from '../../platform/polling.js';
import { batchedChore } from '../../platform/retention.js';
import { PostgresAdapter } from 'kysely';
import type { Config } from '../../config.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { readEventsAfter } from '../../platform/events.js';
import { PRUNE_BATCH, retryDelay } from '../notifications/dispatcher.js';
import { visibleTo } from '../live/visibility.js';
import { deliver } from './deliver.js';
import { endpointSecret, signatureHeaders } from './signing.js';
import {
  claimDueDeliveries,
  enabledEndpoints,
  findEndpointById,
  insertDeliveries,
  pruneSentDeliveries,
  recordAttempt,
  updateEndpoint,
  type DeliveryRow,
} from './webhooks.repository.js';

/** The planner's name in `event_consumers`. */
export const WEBHOOK_CONSUMER = 'webhooks';
const PLAN_BATCH = 500;

export interface WebhookDispatcherOptions {
  intervalMs?: number;
  batchSize?: number;
  concurrency?: number;
  /** First retry delay; then 2×, 4×…: 42 s × (2^0 + … + 2^10) ≈ 23.9 h over 12 attempts: retried for a day. */
  backoffMs?: number;
  maxAttempts?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** sent deliveries older than this are deleted (default: the config's WEBHOOK_DELIVERY_RETENTION_DAYS) */
  sentRetentionMs?: number;
}

const DEFAULTS = {
  intervalMs: 2000,
  batchSize: 50,
  concurrency: 8,
  backoffMs: 42_000,
  maxAttempts: 12,
  leaseMs: 60_000,
  timeoutMs: 10_000,
};

export interface WebhookTick {
  planned: number;
  sent: number;
  failed: number;
  dead: number;
}

export interface WebhookDispatcher {
  start(): void;
  stop(): Promise<void>;
  tick(options?: { now?: Date }): Promise<WebhookTick>;
}

/**
 * Turns events into deliveries for the org's enabled endpoints that asked for their type (planned once: the
 * consumer's cursor row is claimed with SKIP LOCKED, and a (endpoint, event) pair is unique), then sends the due
 * ones, signed per Standard Webhooks. Failures are retried with the notification queue's backoff; the last one
 * leaves the delivery dead and disables the endpoint (an admin re-enables it and redelivers).
 */
export function createWebhookDispatcher(
  deps: { db: Db; config: Config; log: FastifyBaseLogger },
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const o = { ...DEFAULTS, sentRetentionMs: deps.config.retention.sentWebhookDeliveriesMs, ...options };
  const pruneSent = batchedChore(
    (limit) => pruneSentDeliveries(deps.db, new Date(Date.now() - o.sentRetentionMs).toISOString(), limit),
    { batchSize: PRUNE_BATCH, everyMs: 3600_000 },
  );

  async function plan(now: string): Promise<number> {
    return deps.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('event_consumers')
        .values({ name: WEBHOOK_CONSUMER, last_event_id: 0, updated_at: isoNow() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      let cursorQuery = tx
        .selectFrom('event_consumers')
        .select('last_event_id')
        .where('name', '=', WEBHOOK_CONSUMER);
      if (tx.getExecutor().adapter instanceof PostgresAdapter)
        cursorQuery = cursorQuery.forUpdate().skipLocked();
      const cursor = await cursorQuery.executeTakeFirst();
      if (!cursor) return 0; // another instance is planning
      const events = await readEventsAfter(tx, Number(cursor.last_event_id), PLAN_BATCH);
      if (events.length === 0) return 0;
      const orgIds = [...new Set(events.map((e) => e.org_id).filter((id): id is string => id !== null))];
      const endpoints = await enabledEndpoints(tx, orgIds);
      const rows = events.flatMap((event) =>
        endpoints
          .filter(
            (e) =>
              e.org_id === event.org_id &&
              (e.event_types.includes(event.type) || e.event_types.includes('*')),
          )
          .map((endpoint) => {
            // What an admin of the org may see of the event: its full payload, never subjects or actor.
            const data = visibleTo(
              { kind: 'org', orgId: endpoint.org_id, accountId: '', role: 'owner', ownUserId: null },
              event,
            );
            return {
              id: newId(),
              org_id: endpoint.org_id,
              endpoint_id: endpoint.id,
              event_id: event.id,
              event_type: event.type,
              body: JSON.stringify({ type: event.type, timestamp: event.created_at, data }),
              state: 'queued' as const,
              attempts: 0,
              due_at: now,
              claimed_until: null,
              last_status: null,
              last_latency_ms: null,
              last_error: null,
              created_at: now,
              updated_at: now,
            };
          }),
      );
      await insertDeliveries(tx, rows);
      await tx
        .updateTable('event_consumers')
        .set({ last_event_id: events.at(-1)!.id, updated_at: isoNow() })
        .where('name', '=', WEBHOOK_CONSUMER)
        .execute();
      return events.length;
    });
  }

  async function sendOne(d: DeliveryRow, now: Date, result: WebhookTick): Promise<void> {
    const endpoint = await findEndpointById(deps.db, d.endpoint_id);
    if (!endpoint?.enabled) return;
    const secret = endpointSecret(deps.config.secretKey, endpoint.id, endpoint.secret_version);
    const outcome = await deliver(endpoint.url, d.body, signatureHeaders(secret, d.id, d.body, new Date()), {
      allowPrivate: deps.config.webhookAllowPrivate,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: 65_536,
    });
    const attempts = d.attempts + 1;
    const dead = !outcome.ok && (outcome.refused || attempts >= o.maxAttempts);
    const nowIso = new Date().toISOString();
    await recordAttempt(deps.db, d.id, {
      state: outcome.ok ? 'sent' : dead ? 'dead' : 'failed',
      attempts,
      due_at:
        outcome.ok || dead
          ? d.due_at
          : new Date(now.getTime() + retryDelay(o.backoffMs, attempts)).toISOString(),
      last_status: outcome.status,
      last_latency_ms: outcome.latencyMs,
      last_error: outcome.error?.slice(0, 500) ?? null,
      updated_at: nowIso,
    });
    if (outcome.ok) {
      result.sent++;
      if (endpoint.consecutive_failures > 0) {
        await updateEndpoint(deps.db, trustedOrgId(endpoint.org_id), endpoint.id, {
          consecutive_failures: 0,
          updated_at: nowIso,
        });
      }
      return;
    }
    if (dead) result.dead++;
    else result.failed++;
    await updateEndpoint(deps.db, trustedOrgId(endpoint.org_id), endpoint.id, {
      consecutive_failures: endpoint.consecutive_failures + 1,
      ...(dead ? { enabled: false, disabled_reason: outcome.refused ? 'refused_target' : 'failing' } : {}),
      updated_at: nowIso,
    });
    deps.log.warn(
      { delivery: d.id, endpoint: endpoint.id, attempts, dead, error: outcome.error },
      'webhook not delivered',
    );
  }

  async function tick(options: { now?: Date } = {}): Promise<WebhookTick> {
    const result: WebhookTick = { planned: 0, sent: 0, failed: 0, dead: 0 };
    const now = options.now ?? new Date();
    for (;;) {
      // Due at the round's time: what was just planned goes out in this round.
      const planned = await plan(now.toISOString());
      result.planned += planned;
      if (planned < PLAN_BATCH) break;
    }
    for (;;) {
      const leaseUntil = new Date(now.getTime() + o.leaseMs).toISOString();
      const claimed = await claimDueDeliveries(deps.db, now.toISOString(), leaseUntil, o.batchSize);
      await inFlight(claimed, o.concurrency, (d) => sendOne(d, now, result));
      if (claimed.length < o.batchSize) break;
    }
    await pruneSent(); // retention: one bounded batch per round while there is a backlog, else hourly
    return result;
  }

  const rounds = poller(tick, o.intervalMs, (error) =>
    deps.log.error({ err: error }, 'webhook round failed'),
  );
  return { start: rounds.start, stop: rounds.stop, tick };
}
