import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, type Env } from './config.js';
import { processIo, type CliCommand, type CliIo } from './cli/io.js';

const USAGE = `crew — Coulisses Crew operations

  crew db upgrade [head|<name>]        apply migrations (default: head)
  crew db downgrade [base|-1|<name>]   revert migrations
  crew db current                      print the applied revision
  crew db check                        exit 1 when the database differs from the declared schema
  crew db backup <file> [--force]      SQLite: online backup, consistent while the server writes
  crew db restore <file> [--force]     SQLite: restore a backup over DATABASE_URL's file (refuses an existing
                                       or open file without --force); PostgreSQL: pg_dump/pg_restore

  crew org create --name NAME --owner-email EMAIL --owner-password PW [--timezone TZ]
                                       → {"org_id", "account_id"}
  crew member add --org ORG_ID --email EMAIL --role owner|admin|manager|tech [--password PW]
                                       → {"account_id", "membership_id"} (creates the account when missing)
  crew account set-password --email EMAIL --password PW
                                       → {"account_id"} (ends the account's sessions)

  crew seed demo [--users N] [--missions M] [--months K] [--seed S] [--today YYYY-MM-DD] [--reset]
                                       a reproducible demo org (defaults 2000 users, 20000 missions, 12
                                       months, seed 42); refuses if one exists unless --reset → one JSON line

Every command reads DATABASE_URL (or DB_*, or the SQLite default) from the environment or .env.`;

/** Each group's module is imported only when its command runs: `crew db current` loads no password hashing. */
const commands: Record<string, () => Promise<CliCommand>> = {
  db: async () => (await import('./cli/db.commands.js')).runDbCommand,
  org: async () => (await import('./cli/bootstrap.commands.js')).bootstrapCommand('org'),
  member: async () => (await import('./cli/bootstrap.commands.js')).bootstrapCommand('member'),
  account: async () => (await import('./cli/bootstrap.commands.js')).bootstrapCommand('account'),
  seed: async () => (await import('./cli/seed.commands.js')).runSeedCommand,
};

/**
 * Runs one `crew` command line against `env` and returns its exit code; everything it prints goes to `io`.
 * The shell entry below and the tests (in-process, no loader to start) both come through here.
 */
export async function runCli(argv: string[], env: Env, io: CliIo): Promise<number> {
  const [group, ...rest] = argv;
  const load = group ? commands[group] : undefined;
  if (!load) {
    io.err(USAGE);
    return group === '--help' || group === 'help' ? 0 : 2;
  }
  try {
    return await (
      await load()
    )(rest, { env, io });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

// Run as a program (`node dist/cli.js`, `tsx src/cli.ts`, a symlinked bin), not when imported by a test.
const entry = process.argv[1];
const isEntry = entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
if (isEntry) {
  const { loadDotEnv } = await import('./platform/env.js');
  loadDotEnv();
  process.exitCode = await runCli(process.argv.slice(2), process.env, processIo);
}
