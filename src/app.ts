import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Redis } from 'ioredis';
import { authRoutes } from './modules/auth/auth.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { pagesRoutes } from './modules/pages/pages.routes.js';
import { linkHolderRoutes } from './modules/links/links.routes.js';
import { meRoutes } from './modules/me/me.routes.js';
import { liveMeRoutes } from './modules/live/live.routes.js';
import { registerLiveEvents } from './modules/live/live.js';
import { calendarRoutes } from './modules/calendar/calendar.routes.js';
import { createDispatcher, type Dispatcher } from './modules/notifications/dispatcher.js';
import { createWebhookDispatcher, type WebhookDispatcher } from './modules/webhooks/dispatcher.js';
import { unsubscribeRoutes } from './modules/notifications/unsubscribe.routes.js';
import { orgInvitationRoutes } from './modules/members/members.routes.js';
import { orgScopedRoutes } from './modules/org-routes.js';
import { orgsRoutes } from './modules/orgs/orgs.routes.js';
import { rbacDemoRoutes } from './modules/rbac-demo/rbac-demo.routes.js';
import { registerAccessControl } from './platform/auth/access.js';
import { registerSessionCache } from './platform/auth/session-cache.js';
import { accessTokens, type AccessTokens } from './platform/auth/jwt.js';
import { createDatabase, type Database } from './platform/db/database.js';
import { createMailer, type Mailer } from './platform/mail.js';
import {
  memoryRateLimiter,
  redisRateLimiter,
  resilientRateLimiter,
  type RateLimiter,
} from './platform/rate-limit.js';
import { connectRedis, type RedisLink } from './platform/redis.js';
import { registerDatabaseGate, watchMigrations, type MigrationWatch } from './platform/http/database-gate.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { securityHeadersFor } from './platform/http/security-headers.js';
import { requestSerializer } from './platform/http/logging.js';
import { registerProblemHandlers } from './platform/http/problem.js';
import { registerShutdownAnswer } from './platform/http/shutting-down.js';
import { registerFairStart } from './platform/http/fair-start.js';
import { registerValidation } from './platform/http/validation.js';
import { compileSchemasOnFirstUse } from './platform/http/lazy-schemas.js';
import { registerMetrics } from './platform/metrics/metrics.routes.js';
import { registerStorableTextGuard } from './platform/http/storable-text.js';
import { registerCacheControl } from './platform/http/cache-control.js';
import {
  clientErrorHandler,
  onFrameworkError,
  registerJsonBodyParser,
} from './platform/http/framework-errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    tokens: AccessTokens;
    limiter: RateLimiter;
    mailer: Mailer;
    redis: Redis | null;
    /** The Redis client with its outage state: every use of Redis follows its rule (docs/reliability.md). */
    redisLink: RedisLink | null;
    migrations: MigrationWatch;
    /** The notification dispatcher: started by the server process (`start()`), driven by tests (`tick()`). */
    notifications: Dispatcher;
    /** The webhook dispatcher: started by the server process, driven by tests (`tick()`). */
    webhooks: WebhookDispatcher;
  }
}

export interface AppOptions {
  /** Reuse an open database (tests, the bench); otherwise one is opened from the config and closed with the app. */
  database?: Database;
  /** Replace the mailer (tests); otherwise SMTP or the local outbox, from the config. */
  mailer?: Mailer;
  /** Where log lines go (tests that assert on warnings); stdout otherwise. */
  logStream?: { write(line: string): void };
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds an isolated app from a config: nothing is read from the environment here. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      serializers: { req: requestSerializer },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    trustProxy: config.trustProxy,
    // Routing and connection errors answer problem+json with our headers, like every other error.
    frameworkErrors: onFrameworkError,
    clientErrorHandler: clientErrorHandler(securityHeadersFor(config)),
    // Our own 503 while draining (registerShutdownAnswer): Fastify's bypasses the hooks and the problem format.
    return503OnClosing: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database =
    options.database ??
    createDatabase(config.database, {
      ...config.databaseOptions,
      onConnectionError: (error) => app.log.warn({ err: error }, 'database connection lost'),
    });
  app.decorate('config', config);
  app.decorate('database', database);
  app.decorate('migrations', watchMigrations(database.db));
  if (!options.database) app.addHook('onClose', () => database.close());
  // Loaded only when configured: the embedded setup never pays for the Redis client.
  const redisLink = config.redisUrl
    ? await connectRedis(config.redisUrl, {
        warn: (details, message) => app.log.warn(details, message),
        info: (details, message) => app.log.info(details, message),
      })
    : null;
  const limiter = redisLink
    ? resilientRateLimiter(redisLink, redisRateLimiter(redisLink.client), memoryRateLimiter())
    : memoryRateLimiter();
  app.decorate('redis', redisLink?.client ?? null);
  app.decorate('redisLink', redisLink);
  app.decorate('limiter', limiter);
  app.decorate('tokens', accessTokens(config));
  app.decorate('mailer', options.mailer ?? createMailer(config));
  app.decorate(
    'notifications',
    createDispatcher({
      db: database.db,
      config,
      mailer: app.mailer,
      log: app.log.child({ module: 'notifications' }),
    }),
  );
  app.decorate(
    'webhooks',
    createWebhookDispatcher({ db: database.db, config, log: app.log.child({ module: 'webhooks' }) }),
  );
  // Registered before the database is closed (onClose hooks run in reverse): the last round finishes first.
  app.addHook('onClose', async () => {
    await app.webhooks.stop();
    await app.notifications.stop();
    await app.mailer.close?.();
  });
  app.addHook('onClose', async () => {
    await limiter.close();
    await redisLink?.close();
  });
  const securityHeaders = securityHeadersFor(config);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(securityHeaders).header('x-request-id', request.id);
    done(null, payload);
  });

  registerProblemHandlers(app);
  registerShutdownAnswer(app);
  registerLiveEvents(app);
  await registerMetrics(app);
  // After metrics, so a request's wait for its turn counts in its duration.
  if (database.dialect === 'sqlite') registerFairStart(app);
  // Before access control: its session lookup needs the tables.
  registerDatabaseGate(app, app.migrations);
  registerValidation(app);
  compileSchemasOnFirstUse(app);
  registerStorableTextGuard(app);
  registerJsonBodyParser(app);
  registerCacheControl(app);
  await app.register(cors, { origin: config.corsAllowOrigins, credentials: true });
  await app.register(cookie);
  await registerOpenApi(app, config.publicBaseUrl);

  await registerSessionCache(app);
  registerAccessControl(app, app.tokens);
  await app.register(healthRoutes);
  await app.register(pagesRoutes);
  await app.register(unsubscribeRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(orgsRoutes);
      await api.register(orgInvitationRoutes);
      if (config.rbacDemoRoutes) await api.register(rbacDemoRoutes);
      await api.register(linkHolderRoutes);
      await api.register(meRoutes);
      await api.register(liveMeRoutes);
      await api.register(calendarRoutes);
      await api.register(orgScopedRoutes, { prefix: '/orgs/:org_id' });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
