import type { Redis, RedisOptions } from 'ioredis';

/**
 * The one rule for every use of Redis (docs/reliability.md): Redis is an accelerator shared by instances, never a
 * dependency a request waits on. A command fails within half a second when Redis is down or frozen, the caller
 * falls back to what one instance can do alone, and the outage is logged once, not per request.
 */
export interface RedisLink {
  client: Redis;
  /** False while an outage is known: callers skip Redis and use their per-instance fallback. */
  usable(): boolean;
  /** A command failed: start (or extend) an outage. */
  failed(error: unknown): void;
  /** A command succeeded: end a known outage. */
  succeeded(): void;
  close(): Promise<void>;
}

export interface RedisLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export const REDIS_OPTIONS: RedisOptions = {
  // A command sent while disconnected fails at once instead of waiting in a queue for a reconnection.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
  // A frozen Redis (connected, never answering) must not hold a request either.
  commandTimeout: 500,
  // Reconnect forever, backing off to one attempt every 2 s, so shared counting resumes by itself.
  retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
};

/** After a failed command, Redis is not tried again for this long (a frozen Redis would cost 500 ms each time). */
const PAUSE_AFTER_FAILURE_MS = 2000;

export async function connectRedis(url: string, log: RedisLog): Promise<RedisLink> {
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient(url, REDIS_OPTIONS);
  let outage = false;
  let pausedUntil = 0;
  const failed = (error: unknown) => {
    pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
    if (outage) return;
    outage = true;
    log.warn(
      { err: error instanceof Error ? { message: error.message } : String(error) },
      'Redis unreachable: rate limits count per instance until it returns',
    );
  };
  const succeeded = () => {
    if (!outage) return;
    outage = false;
    log.info({}, 'Redis reachable again: rate limits are shared between instances again');
  };
  // ioredis emits `error` on every failed reconnection: without a listener each one is an unhandled error.
  client.on('error', failed);
  // Reconnected: the outage is over even if no request has used Redis since (the next outage must warn again).
  client.on('ready', () => {
    pausedUntil = 0;
    succeeded();
  });
  // Give the first connection a moment, so the first requests after a start are counted in Redis already; a
  // Redis that refuses answers at once, one that hangs costs at most the connect timeout, once.
  await new Promise<void>((resolve) => {
    const settled = () => {
      clearTimeout(timer);
      client.off('ready', settled);
      client.off('error', settled);
      resolve();
    };
    const timer = setTimeout(settled, REDIS_OPTIONS.connectTimeout);
    client.once('ready', settled);
    client.once('error', settled);
  });
  return {
    client,
    usable: () => client.status === 'ready' && Date.now() >= pausedUntil,
    failed,
    succeeded,
    close: async () => {
      client.removeAllListeners('error');
      client.on('error', () => {});
      client.disconnect();
    },
  };
}
