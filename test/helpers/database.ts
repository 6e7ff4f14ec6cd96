import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../src/platform/db/database-url.js';
import { createDatabase, type Database, type Dialect } from '../../src/platform/db/database.js';
import { upgrade } from '../../src/platform/db/migrator.js';
import { withDatabase } from './global-setup.js';

/** The dialects this run covers: SQLite always, PostgreSQL when reachable (see global-setup). */
export const DIALECTS = inject('dialects') as Dialect[];

/**
 * Whether concurrent requests really interleave on the dialect. SQLite runs on one connection, one transaction at
 * a time, so a race test there passes whatever the locking does and proves nothing: race tests run where this is
 * true (`it.runIf(racesCanHappen(dialect))`) and name why in their title with RACES_ONLY_WHERE_POSSIBLE.
 */
export const racesCanHappen = (dialect: Dialect): boolean => dialect !== 'sqlite';
export const RACES_ONLY_WHERE_POSSIBLE =
  '[PostgreSQL only: SQLite serialises every transaction on one connection]';

export interface TestDatabase {
  config: DatabaseConfig;
  database: Database;
  drop(): Promise<void>;
}

/** A fresh, empty database of the dialect (no migration applied). */
export async function emptyDatabase(dialect: Dialect): Promise<TestDatabase> {
  return dialect === 'sqlite' ? sqliteFile() : postgresDatabase(null);
}

/** A fresh database at head: a temp SQLite file, or a clone of the migrated PostgreSQL template. */
export async function migratedDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const test = sqliteFile();
    await upgrade(test.database.db);
    return test;
  }
  return postgresDatabase(inject('postgresTemplate'));
}

function sqliteFile(): TestDatabase {
  const filename = join(tmpdir(), `crew-test-${randomBytes(6).toString('hex')}.db`);
  const config: DatabaseConfig = { dialect: 'sqlite', filename };
  const database = createDatabase(config);
  return {
    config,
    database,
    drop: async () => {
      await database.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
    },
  };
}

async function postgresDatabase(template: string | null): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `crew_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const config: DatabaseConfig = { dialect: 'postgres', connectionString: withDatabase(adminUrl, name) };
  const database = createDatabase(config, { poolSize: 25 });
  return {
    config,
    database,
    drop: async () => {
      await database.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // CREATE DATABASE … TEMPLATE fails while another file clones the same template: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(statement);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await client.end();
  }
}
