import type { FastifyBaseLogger } from 'fastify';
import { inFlight, poller } from '../../platform/polling.js';
import { batchedChore } from '../../platform/retention.js';
import type { Config } from '../../config.js';
import { DAY } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { pruneEvents } from '../../platform/events.js';
import type { Mailer } from '../../platform/mail.js';
import { composeNotification } from './compose.js';
import { assignmentFactsOf } from './facts.repository.js';
import {
  claimDue,
  dropNotifications,
  markFailed,
  markSent,
  pendingWork,
  postpone,
  pruneSentNotifications,
  type NotificationRow,
} from './notifications.repository.js';
import { dpaeReminderScan } from './dpae-reminders.js';
import { planBatch, planBatchSize } from './planner.js';

export interface DispatcherOptions {
  /** how often the running dispatcher looks for work */
  intervalMs?: number;
  /** notifications claimed per round */
  batchSize?: number;
  /** how long a claim holds before another instance may retry the notification (a crash mid-send) */
  leaseMs?: number;
  /** attempts before a notification is dead */
  maxAttempts?: number;
  /** the first retry's delay; each next one doubles it */
  backoffMs?: number;
  /** mails composed and sent at once (the SMTP pool spreads them over SMTP_MAX_CONNECTIONS connections) */
  concurrency?: number;
  /** events older than this are deleted once every consumer has read them */
  eventRetentionMs?: number;
  /** how often the DPAE reminder scan runs at most (dpae-reminders.ts) */
  dpaeScanMs?: number;
  /** sent notifications older than this are deleted (default: the config's NOTIFICATION_RETENTION_DAYS) */
  sentRetentionMs?: number;
}

export interface TickResult {
  planned: number;
  sent: number;
  failed: number;
  dead: number;
  dropped: number;
}

export interface Dispatcher {
  /** Starts polling (the server process does; tests call `tick` instead). */
  start(): void;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /** One round: plan new events, then send what is due at `now` (a test's clock). */
  tick(options?: { now?: Date }): Promise<TickResult>;
}

const DEFAULTS: Required<Omit<DispatcherOptions, 'sentRetentionMs'>> = {
  intervalMs: 1000,
  batchSize: 100,
  leaseMs: 5 * 60_000,
  maxAttempts: 5,
  backoffMs: 30_000,
  concurrency: 16,
  eventRetentionMs: 30 * DAY,
  dpaeScanMs: 60_000,
};

/** Retention deletes this many rows per round at most, then waits an hour once a batch comes back short. */
export const PRUNE_BATCH = 500;
const PRUNE_EVERY_MS = 3600_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The assignments whose facts composing a notification reads (compose.ts); the DPAE reminder reads its own. */
function assignmentsOf(n: NotificationRow): string[] {
  if (n.kind === 'dpae_reminder') return [];
  const p = n.payload as { assignment_id?: unknown; items?: { assignment_id?: unknown }[] };
  const ids = [p.assignment_id, ...(Array.isArray(p.items) ? p.items.map((i) => i.assignment_id) : [])];
  return ids.filter((id): id is string => typeof id === 'string');
}

/** Rounds in which one event must fail on its own before the planner steps over it. */
const POISON_ROUNDS = 5;

/** The delay before attempt `attempts + 1`: backoff, 2×, 4×… */
export const retryDelay = (backoffMs: number, attempts: number) => backoffMs * 2 ** (attempts - 1);

/**
 * Sends what the event log asks for: never inside a request. Each round plans the new events into notifications,
 * then claims the due ones (SKIP LOCKED on PostgreSQL, so N instances share the queue and each mail goes out
 * once), composes each from the current data and sends it with its stable Message-ID; a failure is retried with
 * exponential backoff, and the last failure leaves the notification dead for an admin to retry.
 */
export function createDispatcher(
  deps: { db: Db; config: Config; mailer: Mailer; log: FastifyBaseLogger },
  options: DispatcherOptions = {},
): Dispatcher {
  const o = { ...DEFAULTS, sentRetentionMs: deps.config.retention.sentNotificationsMs, ...options };
  let lastPrune = 0;
  // The planner's cursor as this instance last saw it: a round asks for events after it (pendingWork).
  let seenCursor = 0;
  const pruneSent = batchedChore(
    (limit) => pruneSentNotifications(deps.db, new Date(Date.now() - o.sentRetentionMs).toISOString(), limit),
    { batchSize: PRUNE_BATCH, everyMs: PRUNE_EVERY_MS },
  );
  const scanDpae = dpaeReminderScan(deps, o.dpaeScanMs);
  // An event that fails on its own, round after round, is stepped over (and logged) so it cannot hold back every
  // mail; a database outage fails before the event is even read, so it is never counted.
  const failuresOf = new Map<number, number>();
  const skipPoison = (eventId: number, error: unknown) => {
    const failures = (failuresOf.get(eventId) ?? 0) + 1;
    failuresOf.set(eventId, failures);
    const skip = failures >= POISON_ROUNDS;
    deps.log.error({ event: eventId, failures, skip, err: error }, 'event could not be planned');
    if (skip) failuresOf.delete(eventId);
    return skip;
  };

  /** What the mails of one claimed batch share, and what they leave to be written together at its end. */
  interface Batch {
    now: Date;
    result: TickResult;
    round: Map<string, Promise<unknown>>;
    facts: Awaited<ReturnType<typeof assignmentFactsOf>>;
    sent: string[];
    dropped: string[];
  }

  async function sendOne(n: NotificationRow, batch: Batch): Promise<void> {
    const { now, result, round } = batch;
    const nowIso = now.toISOString();
    try {
      const composed = await composeNotification({
        db: deps.db,
        config: deps.config,
        n,
        now: nowIso,
        round,
        facts: batch.facts,
      });
      if ('drop' in composed) {
        batch.dropped.push(n.id); // deleted with the rest of its batch
        result.dropped++;
        return;
      }
      if ('reschedule' in composed) {
        await postpone(deps.db, n.id, composed.reschedule, nowIso);
        return;
      }
      await deps.mailer.send({
        to: n.recipient_email,
        subject: composed.mail.subject,
        text: composed.mail.text,
        html: composed.mail.html,
        messageId: n.message_id,
        headers: { ...composed.mail.headers, 'X-Coulisses-Notification': n.kind },
      });
      batch.sent.push(n.id); // marked with the rest of its batch (at-least-once: a crash before that resends it)
      result.sent++;
    } catch (error) {
      const attempts = n.attempts + 1;
      const dead = attempts >= o.maxAttempts;
      await markFailed(deps.db, n.id, {
        state: dead ? 'dead' : 'failed',
        attempts,
        dueAt: new Date(now.getTime() + retryDelay(o.backoffMs, attempts)).toISOString(),
        error: error instanceof Error ? error.message : String(error),
        now: nowIso,
      });
      if (dead) result.dead++;
      else result.failed++;
      deps.log.warn({ notification: n.id, attempts, dead, err: error }, 'notification not sent');
    }
  }

  async function tick(options: { now?: Date } = {}): Promise<TickResult> {
    const result: TickResult = { planned: 0, sent: 0, failed: 0, dead: 0, dropped: 0 };
    const work = await pendingWork(deps.db, seenCursor, (options.now ?? new Date()).toISOString());
    const batchSize = planBatchSize(deps.db);
    while (work.events) {
      const planned = await planBatch(deps.db, deps.config, skipPoison);
      result.planned += planned.read;
      if (planned.cursor !== null) seenCursor = planned.cursor;
      if (planned.read < batchSize) break;
      await nextTurn(); // let the requests waiting for the connection in between batches
    }
    // After planning: what was just planned to go out at once is due now.
    const now = options.now ?? new Date();
    const round = new Map<string, Promise<unknown>>(); // lookups the round's mails share (compose.ts)
    // assignments entering the DPAE window: time, not an event, makes them due
    const reminded = await scanDpae(now);
    for (let more = work.due || result.planned > 0 || reminded > 0; more;) {
      const leaseUntil = new Date(now.getTime() + o.leaseMs).toISOString();
      const claimed = await claimDue(deps.db, now.toISOString(), leaseUntil, o.batchSize);
      // The facts of the whole batch in one query, read once it is claimed (compose.ts)
      const facts = await assignmentFactsOf(deps.db, claimed.flatMap(assignmentsOf));
      const batch: Batch = { now, result, round, facts, sent: [], dropped: [] };
      try {
        await inFlight(claimed, o.concurrency, (n) => sendOne(n, batch));
      } finally {
        await markSent(deps.db, batch.sent, new Date().toISOString());
        await dropNotifications(deps.db, batch.dropped);
      }
      more = claimed.length === o.batchSize;
    }
    if (Date.now() - lastPrune > 3600_000) {
      lastPrune = Date.now();
      await pruneEvents(deps.db, new Date(Date.now() - o.eventRetentionMs).toISOString());
    }
    await pruneSent();
    return result;
  }

  const rounds = poller(tick, o.intervalMs, (error) =>
    deps.log.error({ err: error }, 'notification round failed'),
  );
  return { start: rounds.start, stop: rounds.stop, tick };
}
