import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { loadDatabaseConfig } from '../config.js';
import { createDatabase } from '../platform/db/database.js';
import { currentRevision, HEAD, MIGRATION_NAMES } from '../platform/db/migrator.js';
import type { CliContext } from './io.js';

const USAGE = 'usage: crew db backup <file> [--force] | crew db restore <file> [--force]';

const ALL_PAGES = 0x7fffffff;

const POSTGRES_HINT =
  'crew db backup/restore handle SQLite; for PostgreSQL use pg_dump -Fc / pg_restore (docs/operations.md)';

/**
 * `crew db backup <file>`: SQLite's online backup API, page by page, while the server keeps writing; a write
 * during a step restarts the copy from a consistent point, so the file is one moment of the database, never a
 * mix. Written to `<file>.partial` and renamed at the end: a crash never leaves a half backup under the name.
 *
 * `crew db restore <file>`: checks the file (integrity, a migration revision this code knows), then copies it
 * over DATABASE_URL's file with the same API. It refuses when that file exists, and when another process has it
 * open, unless `--force`.
 */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  args: string[],
  { env, io }: CliContext,
): Promise<number> {
  const force = args.includes('--force');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file || args.some((a) => a.startsWith('--') && a !== '--force')) {
    io.err(USAGE);
    return 2;
  }
  const config = loadDatabaseConfig(env);
  if (config.dialect !== 'sqlite') {
    io.err(POSTGRES_HINT);
    return 2;
  }
  if (config.filename === ':memory:') {
    io.err('DATABASE_URL is an in-memory SQLite database: there is nothing to back up or restore into');
    return 2;
  }
  return command === 'backup'
    ? backup(config.filename, file, force, io)
    : restore(file, config.filename, force, io);
}

async function backup(source: string, file: string, force: boolean, io: CliContext['io']): Promise<number> {
  if (!existsSync(source)) {
    io.err(`no database at ${source}`);
    return 1;
  }
  if (existsSync(file) && !force) {
    io.err(`${file} exists: choose another name or pass --force to replace it`);
    return 1;
  }
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const database = new BetterSqlite3(source, { fileMustExist: true });
  try {
    database.pragma('busy_timeout = 5000');
    // All remaining pages in one step, under one read transaction: copied a hundred pages at a time, every write
    // in between (by the server) would restart the copy, and a busy server would keep it restarting forever. In
    // WAL mode that reader blocks no writer.
    await database.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    database.close();
  }
  const revision = readRevision(partial);
  renameSync(partial, file);
  io.out(JSON.stringify({ backup: file, bytes: statSync(file).size, revision }));
  return 0;
}

async function restore(file: string, target: string, force: boolean, io: CliContext['io']): Promise<number> {
  if (!existsSync(file)) {
    io.err(`no backup at ${file}`);
    return 1;
  }
  const problem = checkBackup(file);
  if (problem) {
    io.err(`${file} cannot be restored: ${problem}`);
    return 1;
  }
  if (existsSync(target) && !force) {
    const inUse = openElsewhere(target);
    io.err(
      `${target} exists${inUse ? ' and is open in another process (a running server?)' : ''}: ` +
        'pass --force to overwrite it' +
        (inUse ? ' (stop the server first, or its open connections see the restored data mid-flight)' : ''),
    );
    return 1;
  }
  const backupFile = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    await backupFile.backup(target, { progress: () => ALL_PAGES });
  } finally {
    backupFile.close();
  }
  // Reopened through the app's own code: what the server will see.
  const database = createDatabase({ dialect: 'sqlite', filename: target }, { poolSize: 1 });
  try {
    const revision = await currentRevision(database.db);
    const atHead = revision === HEAD;
    io.out(JSON.stringify({ restored: file, into: target, revision, at_head: atHead }));
    if (!atHead)
      io.err(`the restored database is at ${revision ?? 'base'}: run \`crew db upgrade\` to reach ${HEAD}`);
  } finally {
    await database.close();
  }
  return 0;
}

/** What is wrong with a would-be backup file, or null: SQLite's integrity check, and a revision we know. */
function checkBackup(file: string): string | null {
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return (error as Error).message;
  }
  try {
    const integrity = database.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') return `integrity check failed (${String(integrity)})`;
  } catch (error) {
    return `not an SQLite database (${(error as Error).message})`;
  } finally {
    database.close();
  }
  const revision = readRevision(file);
  if (revision !== null && !MIGRATION_NAMES.includes(revision)) {
    return `its schema is at ${revision}, which this version does not know (a newer release made it)`;
  }
  return null;
}

/** The last applied migration recorded in an SQLite file (Kysely's table), or null. */
function readRevision(file: string): string | null {
  const database = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const table = database
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'kysely_migration'")
      .get();
    if (!table) return null;
    const row = database.prepare('SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1').get() as
      { name: string } | undefined;
    return row?.name ?? null;
  } finally {
    database.close();
  }
}

/**
 * Whether another connection has the file open. Leaving WAL mode needs the only connection: SQLite keeps WAL
 * (and says so) while anyone else is attached. Our connection puts WAL back before closing.
 */
function openElsewhere(target: string): boolean {
  const database = new BetterSqlite3(target, { fileMustExist: true });
  try {
    if (database.pragma('journal_mode', { simple: true }) !== 'wal') return false;
    const mode = database.pragma('journal_mode = DELETE', { simple: true });
    if (mode === 'wal') return true;
    database.pragma('journal_mode = WAL');
    return false;
  } catch {
    return true; // locked: someone is writing
  } finally {
    database.close();
  }
}
