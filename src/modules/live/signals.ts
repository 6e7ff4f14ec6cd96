import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseConfig } from '../../platform/db/database-url.js';
import { listen } from '../../platform/db/pg-listen.js';
import type { RedisLink } from '../../platform/redis.js';

/**
 * How an instance learns that events were committed, so its streams read them within a second. The signal says
 * only "read the table": the rows themselves always come from `events`, in id order.
 * - in-process (every dialect): a mutating request that answered below 400 has committed its transaction;
 * - Redis pub/sub when `REDIS_URL` is set (the request's instance publishes; every instance subscribes);
 * - PostgreSQL `LISTEN crew_events` without Redis (`recordEvent` notifies in the transaction: sent at commit);
 * - polling the table every second whenever no cross-instance signal is healthy (SQLite, Redis down).
 */
export const EVENTS_CHANNEL = 'crew_events';

/** One per process: streams of every app in the process (tests, two instances on one SQLite file) wake. */
export const inProcess = new EventEmitter().setMaxListeners(0);

export interface Signal {
  /** True while another instance's commits reach us through it (otherwise the hub polls). */
  healthy(): boolean;
  close(): Promise<void>;
}

export function redisSignal(link: RedisLink, wake: () => void, log: FastifyBaseLogger): Signal {
  const subscriber = link.client.duplicate();
  let subscribed = false;
  subscriber.on('error', () => {
    subscribed = false;
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(EVENTS_CHANNEL).then(
      () => {
        subscribed = true;
        wake(); // commits made while we were not listening
      },
      (error: unknown) => log.debug({ err: String(error) }, 'event stream: Redis subscribe failed'),
    );
  });
  subscriber.on('end', () => (subscribed = false));
  subscriber.on('message', wake);
  return {
    healthy: () => subscribed && link.usable(),
    close: async () => {
      subscriber.removeAllListeners('error');
      subscriber.on('error', () => {});
      subscriber.disconnect();
    },
  };
}

/** After a commit: tell the other instances (Redis), following docs/reliability.md's rule. */
export function publishCommit(link: RedisLink | null): void {
  if (!link?.usable()) return;
  link.client.publish(EVENTS_CHANNEL, '').then(
    () => link.succeeded(),
    (error: unknown) => link.failed(error),
  );
}

export async function postgresSignal(
  config: Extract<DatabaseConfig, { dialect: 'postgres' }>,
  wake: () => void,
  log: FastifyBaseLogger,
): Promise<Signal> {
  const listener = await listen({
    connectionString: config.connectionString,
    channel: EVENTS_CHANNEL,
    onNotification: wake,
    onListening: wake, // commits made while we were not listening
    onLost: (error) => log.debug({ err: String(error) }, 'event stream: LISTEN lost, polling'),
  });
  return { healthy: () => listener.listening(), close: () => listener.close() };
}
