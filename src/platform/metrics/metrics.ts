import type { Counter, Histogram, Registry } from 'prom-client';

/** What the app reports; every series is named `crew_*` except Node's own (`process_*`, `nodejs_*`). */
export interface Metrics {
  registry: Registry;
  /** One answered request: `route` is the route pattern (`/api/v1/orgs/:org_id/missions`), never the raw URL. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** One query as Kysely ran it; `kind` is its first SQL word (select, insert, …). */
  observeQuery(kind: string, seconds: number, failed: boolean): void;
  /** The Prometheus text exposition of every series. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsSources {
  /** Connections of the PostgreSQL pool, read at scrape time; null on SQLite (one connection, no pool). */
  poolStats?: () => { total: number; idle: number; waiting: number } | null;
  /** Notifications waiting to go out and the age of the oldest due one, read at scrape time. */
  notificationQueue?: () => Promise<QueueState | null>;
}

export interface QueueState {
  depth: number;
  oldestAgeSeconds: number;
}

// Request latencies from a cache hit (≈1 ms) to a slow export (10 s); queries from a key lookup to a bulk load.
const REQUEST_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * One registry per app (tests build many apps in one process, each with its own series). prom-client is
 * imported here, on demand: an instance with metrics off never loads it.
 */
export async function createMetrics(sources: MetricsSources): Promise<Metrics> {
  // prom-client is CommonJS: under Node its exports are named, inside the esbuild bundle they sit on `default`.
  const imported = await import('prom-client');
  const client = (imported as unknown as { default?: typeof imported }).default ?? imported;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  const requests: Counter<'route' | 'method' | 'status'> = new client.Counter({
    name: 'crew_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const durations: Histogram<'route' | 'method' | 'status'> = new client.Histogram({
    name: 'crew_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const refusals: Counter<'route'> = new client.Counter({
    name: 'crew_rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate limit, by route pattern',
    labelNames: ['route'],
    registers: [registry],
  });
  const queries: Histogram<'kind' | 'outcome'> = new client.Histogram({
    name: 'crew_db_query_duration_seconds',
    help: 'Database query time as seen by the app (waiting for a connection included), by statement kind',
    labelNames: ['kind', 'outcome'],
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  new client.Gauge({
    name: 'crew_db_pool_connections',
    help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = sources.poolStats?.();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'in_use' }, stats.total - stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  // Both queue gauges read one query per scrape: prom-client collects every series at once.
  let queueRead: { at: number; value: Promise<QueueState | null> } | null = null;
  const queueNow = (): Promise<QueueState | null> => {
    if (!queueRead || Date.now() - queueRead.at > 1000) {
      const value = sources.notificationQueue?.().catch(() => null) ?? Promise.resolve(null);
      queueRead = { at: Date.now(), value };
    }
    return queueRead.value;
  };
  new client.Gauge({
    name: 'crew_notification_queue_depth',
    help: 'Notifications queued or failed and waiting for a retry (not yet sent, not dead)',
    registers: [registry],
    async collect() {
      const queue = await queueNow();
      if (queue) this.set(queue.depth);
    },
  });
  new client.Gauge({
    name: 'crew_notification_queue_oldest_age_seconds',
    help: 'How long the oldest due notification has been waiting to go out (0 when none is due)',
    registers: [registry],
    async collect() {
      const queue = await queueNow();
      if (queue) this.set(queue.oldestAgeSeconds);
    },
  });

  return {
    registry,
    observeRequest(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      durations.observe(labels, seconds);
      if (status === 429) refusals.inc({ route });
    },
    observeQuery(kind, seconds, failed) {
      queries.observe({ kind, outcome: failed ? 'error' : 'ok' }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

const STATEMENT_KINDS = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'with',
  'begin',
  'commit',
  'rollback',
]);

/** The statement's first word when it is a common one, else `other`: a bounded label, never the SQL. */
export function statementKind(sqlText: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sqlText)?.[1]?.toLowerCase() ?? '';
  return STATEMENT_KINDS.has(word) ? word : 'other';
}
