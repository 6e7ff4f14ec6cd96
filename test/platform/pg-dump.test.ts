import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../helpers/app.js';
import { crewInProcess as crew } from '../helpers/cli.js';
import { DIALECTS, emptyDatabase } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

const run = promisify(execFile);
const hasPgTools = await run('pg_dump', ['--version']).then(
  () => true,
  () => false,
);

const scratch = mkdtempSync(join(tmpdir(), 'crew-pgdump-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The commands docs/operations.md gives for PostgreSQL, run as written there (custom format, no owner/ACLs).
describe.runIf(DIALECTS.includes('postgres') && hasPgTools)('pg_dump / pg_restore as documented', () => {
  const ctx = useTestApp('postgres');

  it('a custom-format dump restores into an empty database that the app then serves', async () => {
    const org = await createOrgFixture(ctx.app);
    for (const name of ['Dumped A', 'Dumped B']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/projects`,
        headers: org.manager.headers,
        payload: { name },
      });
      expect(res.statusCode).toBe(201);
    }
    const source = ctx.db.config.dialect === 'postgres' ? ctx.db.config.connectionString : '';
    const file = join(scratch, 'crew.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, source]);
    expect(statSync(file).size).toBeGreaterThan(1000);

    const target = await emptyDatabase('postgres');
    try {
      const targetUrl = target.config.dialect === 'postgres' ? target.config.connectionString : '';
      await run('pg_restore', [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        `--dbname=${targetUrl}`,
        file,
      ]);

      const check = await crew(['db', 'check'], { DATABASE_URL: targetUrl });
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toBe('schema matches the code\n');

      const app = await buildApp(testConfig({ DATABASE_URL: targetUrl }), { database: target.database });
      try {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/orgs/${org.orgId}/projects`,
          headers: org.manager.headers,
        });
        expect(res.statusCode).toBe(200);
        const names = (res.json() as { items: { name: string }[] }).items.map((p) => p.name).sort();
        expect(names).toEqual(['Dumped A', 'Dumped B']);
      } finally {
        await app.close();
      }
    } finally {
      await target.drop();
    }
  });
});
