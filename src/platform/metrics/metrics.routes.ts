import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { Executor } from '../db/database.js';
import { createMetrics, statementKind, type Metrics, type QueueState } from './metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Null when metrics are off (neither METRICS_TOKEN nor METRICS_PORT set). */
    metrics: Metrics | null;
  }
}

/** The METRICS_PORT listeners of each app, closed with it. */
const metricsListeners = new WeakMap<FastifyInstance, Set<Server>>();

/** Route label of a request no route matched: one series for every unknown URL, never the URL itself. */
const UNMATCHED = '(unmatched)';

/**
 * `/metrics` for Prometheus, on when METRICS_TOKEN or METRICS_PORT is set. With a token, the main port serves it
 * to `Authorization: Bearer <token>` only; with a port, a separate listener serves it (requiring the token too
 * when one is set), meant to be reachable from the monitoring network only. Off, `/metrics` is a plain 404.
 */
export async function registerMetrics(app: FastifyInstance): Promise<void> {
  const { token, port } = app.config.metrics;
  if (!token && port === undefined) {
    app.decorate('metrics', null);
    return;
  }
  const database = app.database;
  const metrics = await createMetrics({
    poolStats: () => database.poolStats?.() ?? null,
    notificationQueue: () => notificationQueue(database.db),
  });
  app.decorate('metrics', metrics);
  const listeners = new Set<Server>();
  metricsListeners.set(app, listeners);
  app.addHook('onClose', async () => {
    await Promise.all([...listeners].map((server) => new Promise((resolve) => server.close(resolve))));
  });
  database.onQuery?.((event) => metrics.observeQuery(statementKind(event.sql), event.seconds, event.failed));

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  if (token) {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, token)) {
        throw new AppError(
          'unauthorized',
          'A valid metrics bearer token is required',
          {},
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    });
  }
}

/**
 * The separate metrics listener (METRICS_PORT): plain node:http, no routes but `GET /metrics`. Started by the
 * server once the app listens; closed with the app.
 */
export async function listenForMetrics(app: FastifyInstance, host: string, port: number): Promise<Server> {
  const metrics = app.metrics;
  if (!metrics) throw new Error('metrics are off: set METRICS_TOKEN or METRICS_PORT');
  const token = app.config.metrics.token;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (token && !bearerMatches(req.headers.authorization, token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('unauthorized\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (error: unknown) => {
        app.log.error({ err: error }, 'metrics could not be rendered');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  metricsListeners.get(app)?.add(server);
  return server;
}

/** Constant-time: the digests have one length whatever was sent, so neither length nor content leaks. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  const expected = createHash('sha256').update(token).digest();
  const actual = createHash('sha256').update(given).digest();
  return timingSafeEqual(expected, actual) && given.length > 0;
}

/** One query on the (state, due_at) index: what is due and not delivered yet, and since when. */
async function notificationQueue(db: Executor): Promise<QueueState> {
  const now = new Date();
  const row = await db
    .selectFrom('notifications')
    .select((eb) => [eb.fn.countAll<number | string>().as('depth'), eb.fn.min('due_at').as('oldest')])
    .where('state', 'in', ['queued', 'failed'])
    .where('due_at', '<=', now.toISOString())
    .executeTakeFirst();
  const oldest = row?.oldest ? Date.parse(String(row.oldest)) : NaN;
  return {
    depth: Number(row?.depth ?? 0),
    oldestAgeSeconds: Number.isNaN(oldest) ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
  };
}
