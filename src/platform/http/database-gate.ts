import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { Db } from '../db/database.js';
import { createMigrator, HEAD } from '../db/migrator.js';

/**
 * Whether the database holds this code's migrations. Once it does the answer is kept (a running server never
 * downgrades its own schema); until then it is asked again at most once per `recheckMs`, so a server started
 * before `crew db upgrade` starts serving by itself right after it, without hammering the database meanwhile.
 */
export interface MigrationWatch {
  /** Throws the database's own error (unreachable, timeout) when it cannot tell. */
  isMigrated(): Promise<boolean>;
  /** True once the schema is known to be at head (it then stays so): the per-request check without a promise. */
  knownMigrated(): boolean;
}

export function watchMigrations(db: Db, recheckMs = 1000): MigrationWatch {
  let migrated = false;
  let checkedAt = -Infinity;
  let pending: Promise<boolean> | null = null;
  const check = async () => {
    try {
      const migrations = await createMigrator(db).getMigrations();
      // At head or beyond: a newer instance may have migrated further during a rolling deploy.
      migrated = migrations.some((m) => m.name === HEAD && m.executedAt !== undefined);
      checkedAt = Date.now();
      return migrated;
    } finally {
      pending = null;
    }
  };
  return {
    knownMigrated: () => migrated,
    async isMigrated() {
      if (migrated) return true;
      if (Date.now() - checkedAt < recheckMs) return false;
      pending ??= check();
      return pending;
    },
  };
}

/**
 * Routes that answer without the schema: liveness and readiness report it themselves, the docs need no table,
 * and metrics must keep answering while the database is down (the queue gauge is then simply absent).
 */
function needsSchema(url: string | undefined): boolean {
  if (url === undefined) return false; // no route matched: the 404 needs no database
  return (
    !['/healthz', '/health', '/readyz', '/openapi.json', '/metrics'].includes(url) && !url.startsWith('/docs')
  );
}

export function notMigrated(): AppError {
  return new AppError(
    'database_not_migrated',
    `The database is not migrated to ${HEAD}: run \`crew db upgrade\``,
    {},
    { 'retry-after': '30' },
  );
}

/** Every route that needs the database answers 503 `database_not_migrated` until the schema is at head. */
export function registerDatabaseGate(app: FastifyInstance, watch: MigrationWatch): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (watch.knownMigrated() || !needsSchema(request.routeOptions.url)) return done();
    watch.isMigrated().then(
      (migrated) => done(migrated ? undefined : notMigrated()),
      (error: Error) => done(error),
    );
  });
}
