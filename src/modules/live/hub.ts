import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { readEventsAfter, type StoredEvent } from '../../platform/events.js';
import { inProcess, postgresSignal, redisSignal, type Signal } from './signals.js';

/** A page of the events table: one read per wake-up, shared by every stream of the instance. */
const PAGE = 500;
/** How often the table is read when no cross-instance signal is healthy (SQLite, Redis or LISTEN down). */
export const POLL_MS = 1000;

export interface HubStream {
  /** Events in id order, read once for every stream; the stream filters and writes what its viewer may see. */
  offer(events: StoredEvent[]): void;
  close(): void;
}

/**
 * The instance's one reader of the events table for live streams. Started by the first stream, it keeps a cursor
 * (the last id read), and on each wake-up (a signal, or the poll) reads the new events once and offers them to
 * every stream. Ids are in commit order on both dialects (docs/events.md, "Ordering"), so the cursor never skips
 * an event committed later.
 */
export class EventHub {
  cursor = 0;
  private readonly streams = new Set<HubStream>();
  private started: Promise<void> | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private signal: Signal | null = null;
  private poll: NodeJS.Timeout | undefined;
  private readonly onSignal = () => this.wake();
  private readonly onLocalCommit = (key: unknown) => {
    if (key === commitKey(this.app)) this.wake();
  };

  constructor(private readonly app: FastifyInstance) {}

  private get db(): Db {
    return this.app.database.db;
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      this.cursor = await latestEventId(this.db);
      inProcess.on('commit', this.onLocalCommit);
      const { redisLink, config, log } = this.app;
      if (redisLink) this.signal = redisSignal(redisLink, this.onSignal, log);
      else if (config.database.dialect === 'postgres') {
        this.signal = await postgresSignal(config.database, this.onSignal, log);
      }
      this.poll = setInterval(() => {
        if (!this.signal?.healthy()) this.wake();
      }, POLL_MS);
      this.poll.unref();
    })();
    return this.started;
  }

  add(stream: HubStream): void {
    this.streams.add(stream);
  }

  remove(stream: HubStream): void {
    this.streams.delete(stream);
  }

  get size(): number {
    return this.streams.size;
  }

  /** Reads what is new; a wake-up during a read makes one more read after it, never two at once. */
  wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.drain()
      .catch((error: unknown) => this.app.log.warn({ err: error }, 'event stream: reading events failed'))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const events = await readEventsAfter(this.db, this.cursor, PAGE);
      if (events.length === 0) return;
      this.cursor = events[events.length - 1]!.id;
      // The session cache hears of the same commit on its own LISTEN connection, maybe after this read: a member
      // whose stream ends here must find the cache already empty when they reconnect, on this instance too.
      if (events.some(changesMembership)) this.app.sessionCache.invalidate();
      for (const stream of this.streams) stream.offer(events);
      if (events.length < PAGE) return;
    }
  }

  async stop(): Promise<void> {
    inProcess.off('commit', this.onLocalCommit);
    clearInterval(this.poll);
    for (const stream of this.streams) stream.close();
    this.streams.clear();
    await this.reading;
    await this.signal?.close();
  }
}

const MEMBERSHIP_EVENTS: ReadonlySet<string> = new Set(['member.removed', 'member.role_changed']);

function changesMembership(event: StoredEvent): boolean {
  return MEMBERSHIP_EVENTS.has(event.type);
}

/**
 * Which in-process commits concern this app: on SQLite every app of the process on the same file (they are one
 * database), on PostgreSQL only the app's own database object, so that other instances are reached by the
 * cross-instance signal alone (as they would be in another process; the tests rely on it).
 */
export function commitKey(app: FastifyInstance): unknown {
  const { database } = app.config;
  return database.dialect === 'sqlite' ? `sqlite:${database.filename}` : app.database;
}

export async function latestEventId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

export async function oldestEventId(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.min('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? null : Number(row.id);
}
