/**
 * A throwaway, migrated database for one bench run: a temporary SQLite file, or a new PostgreSQL database created
 * through `postgresUrl` (the server's admin database), dropped again by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type Database, type Dialect } from '../../src/platform/db/database.js';
import { upgrade } from '../../src/platform/db/migrator.js';

export interface FreshDatabase {
  database: Database;
  /** The DATABASE_URL that points the app at it. */
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(
  dialect: Dialect,
  options: { name: string; postgresUrl: string; poolSize?: number },
): Promise<FreshDatabase> {
  const name = `crew_bench_${options.name}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const filename = join(tmpdir(), `${name}.db`);
    const database = createDatabase({ dialect, filename });
    await upgrade(database.db);
    return {
      database,
      url: `sqlite:///${filename}`,
      drop: async () => {
        await database.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: options.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(options.postgresUrl);
  url.pathname = `/${name}`;
  const database = createDatabase(
    { dialect, connectionString: url.toString() },
    options.poolSize === undefined ? {} : { poolSize: options.poolSize },
  );
  await upgrade(database.db);
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
