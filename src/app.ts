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
import { orgInvitationRoutes } from './modules/members/members.routes.js';
import { orgScopedRoutes } from './modules/org-routes.js';
import { orgsRoutes } from './modules/orgs/orgs.routes.js';
import { rbacDemoRoutes } from './modules/rbac-demo/rbac-demo.routes.js';
import { registerAccessControl } from './platform/auth/access.js';
import { accessTokens, type AccessTokens } from './platform/auth/jwt.js';
import { createDatabase, type Database } from './platform/db/database.js';
import { createMailer, type Mailer } from './platform/mail.js';
import { memoryRateLimiter, redisRateLimiter, type RateLimiter } from './platform/rate-limit.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { securityHeadersFor } from './platform/http/security-headers.js';
import { requestSerializer } from './platform/http/logging.js';
import { registerProblemHandlers } from './platform/http/problem.js';
import { registerValidation } from './platform/http/validation.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    tokens: AccessTokens;
    limiter: RateLimiter;
    mailer: Mailer;
    redis: Redis | null;
  }
}

export interface AppOptions {
  /** Reuse an open database (tests, the bench); otherwise one is opened from the config and closed with the app. */
  database?: Database;
  /** Replace the mailer (tests); otherwise SMTP or the local outbox, from the config. */
  mailer?: Mailer;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds an isolated app from a config: nothing is read from the environment here. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      serializers: { req: requestSerializer },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = options.database ?? createDatabase(config.database);
  app.decorate('config', config);
  app.decorate('database', database);
  if (!options.database) app.addHook('onClose', () => database.close());
  // Loaded only when configured: the embedded setup never pays for the Redis client.
  const redis = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2 })
    : null;
  const limiter = redis ? redisRateLimiter(redis) : memoryRateLimiter();
  app.decorate('redis', redis);
  app.decorate('limiter', limiter);
  app.decorate('tokens', accessTokens(config));
  app.decorate('mailer', options.mailer ?? createMailer(config));
  app.addHook('onClose', async () => {
    await limiter.close();
    await redis?.quit();
  });
  const securityHeaders = securityHeadersFor(config);
  app.addHook('onSend', async (request, reply) => {
    reply.headers(securityHeaders).header('x-request-id', request.id);
  });

  registerProblemHandlers(app);
  registerValidation(app);
  await app.register(cors, { origin: config.corsAllowOrigins, credentials: true });
  await app.register(cookie);
  await registerOpenApi(app, config.publicBaseUrl);

  registerAccessControl(app, app.tokens);
  await app.register(healthRoutes);
  await app.register(pagesRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(orgsRoutes);
      await api.register(orgInvitationRoutes);
      await api.register(rbacDemoRoutes);
      await api.register(linkHolderRoutes);
      await api.register(meRoutes);
      await api.register(orgScopedRoutes, { prefix: '/orgs/:org_id' });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
