import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDatabase } from '../../src/platform/db/database.js';
import { upgrade } from '../../src/platform/db/migrator.js';

/**
 * Decides the dialect matrix once per run. TEST_DIALECTS=sqlite|postgres|sqlite,postgres forces it (a forced
 * dialect that cannot be reached fails the run); unset, SQLite always runs and PostgreSQL runs when reachable.
 * For PostgreSQL one template database is migrated here; each test file clones it.
 */
export default async function setup(project: TestProject) {
  const requested = process.env.TEST_DIALECTS?.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const dialects: string[] = [];
  if (!requested || requested.includes('sqlite')) dialects.push('sqlite');

  let template: string | null = null;
  if (!requested || requested.includes('postgres')) {
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    let reachable = false;
    try {
      await admin.connect();
      reachable = true;
    } catch (error) {
      if (requested)
        throw new Error(`TEST_DIALECTS asks for postgres but ${adminUrl} is unreachable: ${error}`);
      console.warn(`PostgreSQL unreachable at ${adminUrl}: tests run on SQLite only`);
      await admin.end().catch(() => {});
    }
    if (reachable) {
      template = `crew_tpl_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${template}`);
      const database = createDatabase({
        dialect: 'postgres',
        connectionString: withDatabase(adminUrl, template),
      });
      await upgrade(database.db);
      await database.close();
      await admin.end();
      dialects.push('postgres');
    }
  }

  project.provide('dialects', dialects);
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', template);
  // Whatever the app writes to disk during the run (the mail outbox) goes here, never to the developer's ./data.
  const scratchDir = mkdtempSync(join(tmpdir(), 'crew-test-run-'));
  project.provide('scratchDir', scratchDir);

  return async () => {
    rmSync(scratchDir, { recursive: true, force: true });
    if (!template) return;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dialects: string[];
    postgresAdminUrl: string;
    postgresTemplate: string | null;
    scratchDir: string;
  }
}
