import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { currentRevision, HEAD } from '../../platform/db/migrator.js';
import { AppError } from '../../platform/errors.js';
import { ProblemSchema } from '../../platform/http/schemas.js';

const Health = Type.Object(
  {
    status: Type.Literal('ok'),
    checks: Type.Object({
      secret: Type.Boolean({ description: 'A signing secret is configured' }),
      database: Type.Boolean({ description: 'A database is configured' }),
      stun: Type.Boolean({ description: 'At least one STUN server is configured' }),
      turn: Type.Boolean({ description: 'At least one TURN server is configured' }),
    }),
  },
  { description: 'Which critical settings are present (never their values)' },
);

const Ready = Type.Object({ status: Type.Literal('ready'), revision: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const liveness = {
    schema: { tags: ['health'], summary: 'Liveness and configuration presence', response: { 200: Health } },
  };
  const report = async () => ({
    status: 'ok' as const,
    checks: {
      secret: app.config.secretKey.length > 0,
      database: Boolean(app.config.database),
      stun: app.config.webrtc.stunServers.length > 0,
      turn: app.config.webrtc.turnServers.length > 0,
    },
  });
  app.get('/healthz', liveness, report);
  app.get('/health', liveness, report);

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and its migrations are at head',
        response: { 200: Ready, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { db } = app.database;
      let revision: string | null;
      try {
        await sql`SELECT 1`.execute(db);
        revision = await currentRevision(db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new AppError('not_ready', 'The database does not answer');
      }
      if (revision !== HEAD) {
        throw new AppError('not_ready', `Database migrations are at ${revision ?? 'base'}, expected ${HEAD}`);
      }
      return { status: 'ready' as const, revision };
    },
  );
};
