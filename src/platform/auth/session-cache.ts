import type { FastifyInstance } from 'fastify';
import { listen, type Listener } from '../db/pg-listen.js';
import type { MemberRole } from '../db/tables.js';
import { SESSION_CHANNEL } from './session-signal.js';

/** What the access hook would read again: a live session of an active account, and its role in the token's org. */
export interface CachedSession {
  accountId: string;
  /** the session's expiry, in ms since the epoch: checked on every hit */
  expiresAt: number;
  role: MemberRole | null;
  storedAt: number;
}

/** What `/auth/me` reads: the account's email and its orgs (oldest membership first). */
export interface AccountOrgs {
  email: string;
  orgs: { org_id: string; name: string; role: MemberRole }[];
}

/** Taken before a lookup; its answer is stored only if nothing was invalidated since (see {@link SessionCache.store}). */
export type Ticket = number | null;

export interface Invalidation {
  /** True while every change made elsewhere reaches this instance (the LISTEN connection is up). */
  healthy(): boolean;
  /** A number that changes when another connection commits (SQLite `PRAGMA data_version`), read per lookup. */
  stamp?: () => number;
}

const MAX_ENTRIES = 10_000;

/**
 * The per-instance cache of the access hook's session lookup (docs/security.md, "Session cache"). It never
 * answers unless it is sure to hear of every change: on SQLite it compares `PRAGMA data_version` on each lookup,
 * on PostgreSQL it serves only while its `LISTEN` connection is up; its own instance's writes drop it directly.
 * Entries live `ttlMs` at most (a safety net, not the mechanism), and only positive answers are kept: a session
 * that failed, or a caller who is not a member, is read from the database every time.
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();
  /** By account: emptied with the sessions, so by every change to memberships and org names too. */
  private readonly accounts = new Map<string, { value: AccountOrgs; storedAt: number }>();
  /** Bumped by every invalidation: a lookup that began before one does not store its (maybe older) answer. */
  private generation = 0;
  private lastStamp: number;

  constructor(
    private readonly ttlMs: number,
    private readonly invalidation: Invalidation,
  ) {
    this.lastStamp = invalidation.stamp?.() ?? 0;
  }

  /** False when the cache may not answer now (disabled, or the change signal is down). Checks the stamp. */
  private usable(): boolean {
    if (this.ttlMs <= 0 || !this.invalidation.healthy()) return false;
    const { stamp } = this.invalidation;
    if (stamp) {
      const now = stamp();
      if (now !== this.lastStamp) {
        this.lastStamp = now;
        this.invalidate();
      }
    }
    return true;
  }

  /** The cached answer for this session (and org), or a ticket to store the one about to be read. */
  lookup(sessionId: string, orgId: string | null): CachedSession | Ticket {
    if (!this.usable()) return null;
    const entry = this.entries.get(keyOf(sessionId, orgId));
    if (entry && Date.now() - entry.storedAt < this.ttlMs) return entry;
    return this.generation;
  }

  store(ticket: Ticket, sessionId: string, orgId: string | null, entry: CachedSession): void {
    if (ticket === null || !this.usable() || ticket !== this.generation) return;
    const key = keyOf(sessionId, orgId);
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Oldest stored first out: a Map iterates in insertion order.
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The cached orgs of this account, or a ticket to store the ones about to be read (as {@link lookup}). */
  lookupAccount(accountId: string): AccountOrgs | Ticket {
    if (!this.usable()) return null;
    const entry = this.accounts.get(accountId);
    if (entry && Date.now() - entry.storedAt < this.ttlMs) return entry.value;
    return this.generation;
  }

  storeAccount(ticket: Ticket, accountId: string, value: AccountOrgs): void {
    if (ticket === null || !this.usable() || ticket !== this.generation) return;
    this.accounts.delete(accountId);
    this.accounts.set(accountId, { value, storedAt: Date.now() });
    if (this.accounts.size > MAX_ENTRIES) this.accounts.delete(this.accounts.keys().next().value!);
  }

  /**
   * Forgets everything: called on every change to sessions, accounts, memberships or org names this instance
   * learns of.
   */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.accounts.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(sessionId: string, orgId: string | null): string {
  return orgId === null ? sessionId : `${sessionId}:${orgId}`;
}

declare module 'fastify' {
  interface FastifyInstance {
    sessionCache: SessionCache;
  }
}

/**
 * A change to a row the cache may hold: sessions, accounts and memberships, a new membership (an account's
 * orgs), an org's name. Other inserts are not: a new session or account cannot be in the cache (it keeps no
 * negative answers), and a login must not empty it.
 */
const SESSION_WRITE =
  /^\s*(?:(?:update|delete)\b[\s\S]*\b(?:auth_sessions|accounts|org_memberships)\b|insert\s+into\s+"?org_memberships\b|update\s+"?orgs"?\s+set\b[\s\S]*?"?name"?\s*=)/i;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decorates the app with its session cache and wires what invalidates it:
 * - any write to `auth_sessions`, `accounts` or `org_memberships` through this app's database (requests,
 *   background work, a test's direct SQL), seen in the query log, and again when a mutating request that made
 *   one answers (on PostgreSQL a lookup on another connection may have read between the write and the commit);
 * - SQLite: another connection's commit (the CLI, another instance on the same file), by `PRAGMA data_version`;
 * - PostgreSQL: `NOTIFY crew_sessions`, sent at commit by every writer (session-signal.ts); while the `LISTEN`
 *   connection is down the cache is bypassed, and it starts empty once it is back.
 */
export async function registerSessionCache(app: FastifyInstance): Promise<void> {
  const { config, database } = app;
  let listener: Listener | null = null;
  let stamp: (() => number) | undefined;
  if (database.dataVersion) stamp = database.dataVersion;
  const ttlMs = config.authCacheTtlMs;
  const cache = new SessionCache(ttlMs, {
    healthy: () => (config.database.dialect === 'sqlite' ? true : (listener?.listening() ?? false)),
    ...(stamp ? { stamp } : {}),
  });
  app.decorate('sessionCache', cache);
  if (ttlMs <= 0) return;

  let writtenSinceFlush = false;
  const unsubscribe = database.onQuery?.((event) => {
    if (event.failed || !SESSION_WRITE.test(event.sql)) return;
    writtenSinceFlush = true;
    cache.invalidate();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (writtenSinceFlush && !READS.has(request.method) && reply.statusCode < 400) {
      writtenSinceFlush = false;
      cache.invalidate();
    }
    done(null, payload);
  });
  app.addHook('onClose', async () => {
    unsubscribe?.();
    await listener?.close();
  });

  if (config.database.dialect === 'postgres') {
    const { connectionString } = config.database;
    let lostLogged = false;
    app.addHook('onReady', async () => {
      listener = await listen({
        connectionString,
        channel: SESSION_CHANNEL,
        onNotification: () => cache.invalidate(),
        onListening: () => {
          // What was sent while we were not listening is lost: start afresh.
          cache.invalidate();
          if (lostLogged) app.log.info({}, 'session cache: LISTEN is back, caching again');
          lostLogged = false;
        },
        onLost: (error) => {
          cache.invalidate();
          if (lostLogged) return;
          lostLogged = true;
          app.log.warn(
            { err: error instanceof Error ? { message: error.message } : String(error) },
            'session cache: LISTEN connection lost, every request reads its session from the database',
          );
        },
      });
    });
  }
}
