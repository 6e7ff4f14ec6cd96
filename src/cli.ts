import { bootstrapCommand } from './cli/bootstrap.commands.js';
import { runDbCommand } from './cli/db.commands.js';
import { runSeedCommand } from './cli/seed.commands.js';

const USAGE = `crew — Coulisses Crew operations

  crew db upgrade [head|<name>]        apply migrations (default: head)
  crew db downgrade [base|-1|<name>]   revert migrations
  crew db current                      print the applied revision
  crew db check                        exit 1 when the database differs from the declared schema

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

const commands: Record<string, (args: string[]) => Promise<number>> = {
  db: runDbCommand,
  org: bootstrapCommand('org'),
  member: bootstrapCommand('member'),
  account: bootstrapCommand('account'),
  seed: runSeedCommand,
};

const [group, ...rest] = process.argv.slice(2);
const command = group ? commands[group] : undefined;
if (!command) {
  console.error(USAGE);
  process.exit(group === '--help' || group === 'help' ? 0 : 2);
}
try {
  process.exitCode = await command(rest);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
}
