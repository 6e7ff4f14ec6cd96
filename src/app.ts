import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createDatabase, type Database } from './platform/db/database.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { requestSerializer } from './platform/http/logging.js';
import { registerProblemHandlers } from './platform/http/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
  }
}

export interface AppOptions {
  /** Reuse an open database (tests, the bench); otherwise one is opened from the config and closed with the app. */
  database?: Database;
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
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = options.database ?? createDatabase(config.database);
  app.decorate('config', config);
  app.decorate('database', database);
  if (!options.database) app.addHook('onClose', () => database.close());
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerProblemHandlers(app);
  await app.register(helmet, { contentSecurityPolicy: false, global: true });
  await app.register(cors, { origin: config.corsAllowOrigins, credentials: true });
  await app.register(cookie);
  await registerOpenApi(app, config.publicBaseUrl);

  await app.register(healthRoutes);
  return app;
}
