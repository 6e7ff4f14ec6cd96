import { PostgresAdapter, sql } from 'kysely';
import type { OrgId } from './auth/org-scope.js';
import { isoNow } from './clock.js';
import { asJson, toJson, type Executor, type Tx } from './db/database.js';

/**
 * The domain events: one row per change that matters to a person or a system, written by the service in the
 * transaction of the change. Consumers (the notification dispatcher, later the live stream and webhooks) read
 * them in id order. docs/events.md lists every type with an example payload.
 */
export const EVENT_TYPES = [
  'assignment.invited',
  'assignment.accepted',
  'assignment.declined',
  'assignment.cancelled',
  'mission.created',
  'mission.changed',
  'mission.published',
  'mission.deleted',
  'mission_role.quota_changed',
  'availability.changed',
  'member.role_changed',
  'member.removed',
  'link.created',
  'link.revoked',
  'org_invitation.created',
  'password_reset.requested',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The people an event concerns: roster profiles (`users.id`) and/or accounts. */
export interface EventSubjects {
  user_ids?: string[];
  account_ids?: string[];
}

export interface DomainEvent {
  /** null for an event outside any org (a password reset) */
  orgId: OrgId | null;
  type: EventType;
  entityType: string;
  entityId: string;
  subjects: EventSubjects;
  /** What a consumer needs without re-reading: ids, and `before`/`after` for changes. Never a secret. */
  payload: Record<string, unknown>;
}

/** Who caused the event, in which request (an OrgScope or an Actor fits). */
export interface EventActor {
  accountId: string | null;
  requestId: string | null;
}

export interface StoredEvent {
  id: number;
  org_id: string | null;
  type: EventType;
  entity_type: string;
  entity_id: string;
  subjects: EventSubjects;
  payload: Record<string, unknown>;
  actor_account_id: string | null;
  request_id: string | null;
  created_at: string;
}

/**
 * The advisory lock that makes PostgreSQL hand out event ids in commit order (see docs/events.md, "Ordering").
 * An arbitrary constant: the lock is held by no one else.
 */
const EVENT_ORDER_LOCK = '7165055720001';

/**
 * Appends events in the caller's transaction: they commit or roll back with the change. Call it as the
 * transaction's last statement, after its row locks, checks and the reads its answer needs: on PostgreSQL it
 * takes a transaction-level advisory lock so that ids are allocated in commit order, every event-writing
 * transaction waits for it from here to its commit, and a row lock taken after it could deadlock.
 */
export async function recordEvent(tx: Tx, actor: EventActor, ...events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`SELECT pg_advisory_xact_lock(${sql.raw(EVENT_ORDER_LOCK)})`.execute(tx);
  }
  const now = isoNow();
  await tx
    .insertInto('events')
    .values(
      events.map((event) => ({
        org_id: event.orgId,
        type: event.type,
        entity_type: event.entityType,
        entity_id: event.entityId,
        subjects: toJson(event.subjects)!,
        payload: toJson(event.payload)!,
        actor_account_id: actor.accountId,
        request_id: actor.requestId,
        created_at: now,
      })),
    )
    .execute();
  // Delivered at commit (never for a rollback): wakes the live streams of instances without Redis.
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`SELECT pg_notify('crew_events', '')`.execute(tx);
  }
}

/** Events after `afterId`, oldest first. Every id below a returned one is committed or will never exist. */
export async function readEventsAfter(db: Executor, afterId: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    type: row.type as EventType,
    subjects: asJson<EventSubjects>(row.subjects) ?? {},
    payload: asJson<Record<string, unknown>>(row.payload) ?? {},
  }));
}

/** Deletes events older than the retention once every consumer has read past them. Returns how many. */
export async function pruneEvents(db: Executor, olderThan: string): Promise<number> {
  const slowest = await db
    .selectFrom('event_consumers')
    .select((eb) => eb.fn.min('last_event_id').as('id'))
    .executeTakeFirst();
  const below = Number(slowest?.id ?? 0);
  if (!below) return 0;
  const result = await db
    .deleteFrom('events')
    .where('created_at', '<', olderThan)
    .where('id', '<=', below)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
