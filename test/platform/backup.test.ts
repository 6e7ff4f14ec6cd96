import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { HEAD } from '../../src/platform/db/migrator.js';
import { testConfig, useTestApp } from '../helpers/app.js';
import { crewInProcess as crew } from '../helpers/cli.js';
import { createOrgFixture } from '../helpers/factories.js';

const scratch = mkdtempSync(join(tmpdir(), 'crew-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every row of every table, in a stable order: two databases are equal when these are. */
function snapshot(file: string): Record<string, unknown[]> {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = database
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, database.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]),
    );
  } finally {
    database.close();
  }
}

function count(file: string, query: string, ...params: unknown[]): number {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return (
      (database
        .prepare(query)
        .pluck()
        .get(...params) as number) ?? 0
    );
  } finally {
    database.close();
  }
}

// Backups are SQLite's (PostgreSQL has pg_dump: test/platform/pg-dump.test.ts).
describe('crew db backup / restore on sqlite', () => {
  const ctx = useTestApp('sqlite');
  const liveFile = () => (ctx.db.config.dialect === 'sqlite' ? ctx.db.config.filename : '');

  it('backs up while requests keep writing, and the backup is one consistent moment', async () => {
    const org = await createOrgFixture(ctx.app);
    const createProject = (i: number) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/projects`,
        headers: org.manager.headers,
        payload: { name: `Load ${i}` },
      });
    for (let i = 0; i < 20; i++) expect((await createProject(i)).statusCode).toBe(201);

    let writing = true;
    let written = 20;
    const writer = (async () => {
      while (writing) {
        const res = await createProject(written);
        expect(res.statusCode).toBe(201);
        written += 1;
      }
    })();
    // Let the writer get going, then back up under it.
    while (written < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    const file = join(scratch, 'under-load.db');
    const result = await crew(['db', 'backup', file], { DATABASE_URL: `sqlite:///${liveFile()}` });
    const writtenAtEnd = written;
    writing = false;
    await writer;

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ backup: file, revision: HEAD });
    expect(existsSync(`${file}.partial`)).toBe(false);
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.pragma('quick_check', { simple: true })).toBe('ok');
    check.close();

    const inBackup = count(file, 'SELECT count(*) FROM projects WHERE org_id = ?', org.orgId);
    expect(inBackup).toBeGreaterThanOrEqual(40);
    expect(inBackup).toBeLessThanOrEqual(writtenAtEnd);
    // Each project was created with its audit row in one transaction: a torn copy would hold one without the other.
    expect(
      count(file, "SELECT count(*) FROM audit_log WHERE org_id = ? AND action = 'project.create'", org.orgId),
    ).toBe(inBackup);
    // Writes went on after the backup's moment: the live database is ahead of it, the backup did not follow.
    expect(count(liveFile(), 'SELECT count(*) FROM projects WHERE org_id = ?', org.orgId)).toBe(written);

    // Restored into a fresh file, it is the backup exactly, and the app serves it.
    const restoredFile = join(scratch, 'restored.db');
    const restored = await crew(['db', 'restore', file], { DATABASE_URL: `sqlite:///${restoredFile}` });
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({
      restored: file,
      into: restoredFile,
      revision: HEAD,
      at_head: true,
    });
    expect(snapshot(restoredFile)).toEqual(snapshot(file));

    const app = await buildApp(testConfig({ DATABASE_URL: `sqlite:///${restoredFile}` }));
    try {
      // Page through the list: a fast machine writes more than one page while the backup runs.
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/orgs/${org.orgId}/projects?limit=100${query}`,
          headers: org.manager.headers,
        });
        expect(res.statusCode).toBe(200);
        const page = res.json() as { items: { name: string }[]; next_cursor: string | null };
        names.push(...page.items.map((p) => p.name));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(names).toHaveLength(inBackup);
      expect(names).toContain('Load 0');
    } finally {
      await app.close();
    }
  });

  it('refuses to overwrite an existing or open database without --force', async () => {
    const file = join(scratch, 'plain.db');
    expect((await crew(['db', 'backup', file], { DATABASE_URL: `sqlite:///${liveFile()}` })).code).toBe(0);
    const again = await crew(['db', 'backup', file], { DATABASE_URL: `sqlite:///${liveFile()}` });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists: choose another name or pass --force/);

    // The test app holds the live file open, as a running server would.
    const onLive = await crew(['db', 'restore', file], { DATABASE_URL: `sqlite:///${liveFile()}` });
    expect(onLive.code).toBe(1);
    expect(onLive.stderr).toMatch(/is open in another process .*pass --force/);

    const idle = join(scratch, 'idle.db');
    expect((await crew(['db', 'restore', file], { DATABASE_URL: `sqlite:///${idle}` })).code).toBe(0);
    const overIdle = await crew(['db', 'restore', file], { DATABASE_URL: `sqlite:///${idle}` });
    expect(overIdle.code).toBe(1);
    expect(overIdle.stderr).toMatch(/exists: pass --force/);
    expect(overIdle.stderr).not.toMatch(/open in another process/);
    const forced = await crew(['db', 'restore', file, '--force'], { DATABASE_URL: `sqlite:///${idle}` });
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('refuses a file that is not a database, and says what to use on PostgreSQL', async () => {
    const junk = join(scratch, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text that is long enough to look like a header');
    const res = await crew(['db', 'restore', junk], { DATABASE_URL: `sqlite:///${join(scratch, 'x.db')}` });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot be restored/);
    expect(existsSync(join(scratch, 'x.db'))).toBe(false);

    const pg = await crew(['db', 'backup', join(scratch, 'pg.dump')], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toMatch(/pg_dump -Fc/);
    const usage = await crew(['db', 'backup'], { DATABASE_URL: `sqlite:///${liveFile()}` });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: crew db backup <file>/);
  });
});
