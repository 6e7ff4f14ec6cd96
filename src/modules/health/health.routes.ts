import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { databaseFault } from '../../platform/db/faults.js';
import { currentRevision, HEAD } from '../../platform/db/migrator.js';
import { AppError } from '../../platform/errors.js';
import { ProblemSchema, StringEnum } from '../../platform/http/schemas.js';

const DATABASE_STATES = ['ok', 'not_migrated', 'unavailable', 'timeout'] as const;
type DatabaseState = (typeof DATABASE_STATES)[number];

/** Probes answer within these budgets whatever the database does (a frozen one never answers at all). */
const READY_BUDGET_MS = 800;
const LIVE_BUDGET_MS = 500;

/** The database's state, measured within `budgetMs`: a probe never waits on the database longer than that. */
async function probeDatabase(
  db: Db,
  budgetMs: number,
): Promise<{ state: DatabaseState; revision: string | null; error?: unknown }> {
  const work = (async () => {
    await sql`SELECT 1`.execute(db);
    return currentRevision(db);
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  // The probe may finish after its deadline: its late failure is nobody's business then.
  work.catch(() => {});
  try {
    const revision = await Promise.race([work, deadline]);
    if (revision === 'late') return { state: 'timeout', revision: null };
    return { state: revision === HEAD ? 'ok' : 'not_migrated', revision };
  } catch (error) {
    return { state: databaseFault(error) === 'timeout' ? 'timeout' : 'unavailable', revision: null, error };
  } finally {
    clearTimeout(timer);
  }
}

const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], {
      description: '`degraded` when the database is not `ok`; the process itself is alive either way (200)',
    }),
    database: StringEnum(DATABASE_STATES, {
      description:
        'The database, probed within 500 ms: `ok`, `not_migrated` (run `crew db upgrade`), `unavailable`, `timeout`',
    }),
    checks: Type.Object({
      secret: Type.Boolean({ description: 'A signing secret is configured' }),
      database: Type.Boolean({ description: 'The database answers and is migrated (`database` is `ok`)' }),
      stun: Type.Boolean({ description: 'At least one STUN server is configured' }),
      turn: Type.Boolean({ description: 'At least one TURN server is configured' }),
    }),
  },
  {
    description:
      'Liveness: always 200 while the process runs. Says whether the database answers (never claims it does when ' +
      'it does not) and which critical settings are present (never their values).',
  },
);

const Ready = Type.Object({ status: Type.Literal('ready'), revision: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const liveness = {
    schema: { tags: ['health'], summary: 'Liveness and configuration presence', response: { 200: Health } },
  };
  // Liveness is polled hard (orchestrators, load balancers, a bench at 50 connections): requests that arrive while
  // a probe is running share it, so the database sees at most one liveness probe at a time, never a stale answer.
  let probing: ReturnType<typeof probeDatabase> | null = null;
  const sharedProbe = () =>
    (probing ??= probeDatabase(app.database.db, LIVE_BUDGET_MS).finally(() => {
      probing = null;
    }));
  const report = async () => {
    const { state } = await sharedProbe();
    return {
      status: state === 'ok' ? ('ok' as const) : ('degraded' as const),
      database: state,
      checks: {
        secret: app.config.secretKey.length > 0,
        database: state === 'ok',
        stun: app.config.webrtc.stunServers.length > 0,
        turn: app.config.webrtc.turnServers.length > 0,
      },
    };
  };
  app.get('/healthz', liveness, report);
  app.get('/health', liveness, report);

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and its migrations are at head',
        description:
          'Answers within 1 s whatever the database does: 503 `not_ready` with `reason` ' +
          '(`database_not_migrated`, `database_unavailable`, `database_timeout`) otherwise.',
        response: { 200: Ready, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { state, revision, error } = await probeDatabase(app.database.db, READY_BUDGET_MS);
      if (state === 'ok') return { status: 'ready' as const, revision: revision ?? HEAD };
      const retry = { 'retry-after': '5' };
      if (state === 'not_migrated') {
        throw new AppError(
          'not_ready',
          `Database migrations are at ${revision ?? 'base'}, expected ${HEAD}`,
          { reason: 'database_not_migrated' },
          retry,
        );
      }
      request.log.warn({ err: error ?? { message: 'no answer in time' } }, 'readiness check failed');
      throw state === 'timeout'
        ? new AppError(
            'not_ready',
            `The database did not answer within ${READY_BUDGET_MS} ms`,
            { reason: 'database_timeout' },
            retry,
          )
        : new AppError(
            'not_ready',
            'The database does not answer',
            { reason: 'database_unavailable' },
            retry,
          );
    },
  );
};
