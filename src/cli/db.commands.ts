import { createDatabase } from '../platform/db/database.js';
import { currentRevision, downgrade, HEAD, upgrade } from '../platform/db/migrator.js';
import { schemaDrift } from '../platform/db/schema-diff.js';
import { loadDatabaseConfig } from '../config.js';
import type { CliContext } from './io.js';

const USAGE = `usage: crew db upgrade [head|<name>] | downgrade [base|-1|<name>] | current | check | backup <file> | restore <file> [--force]`;

/** The seed's Alembic commands, on DATABASE_URL / DB_* / the SQLite default. Returns the exit code. */
export async function runDbCommand(args: string[], { env, io }: CliContext): Promise<number> {
  const [command, target] = args;
  if (command === 'backup' || command === 'restore') {
    const { runBackupCommand } = await import('./backup.commands.js');
    return runBackupCommand(command, args.slice(1), { env, io });
  }
  if (!command || !['upgrade', 'downgrade', 'current', 'check'].includes(command)) {
    io.err(USAGE);
    return 2;
  }
  const database = createDatabase(loadDatabaseConfig(env), { poolSize: 1 });
  try {
    switch (command) {
      case 'upgrade': {
        const applied = await upgrade(database.db, target ?? 'head');
        io.out(applied.length ? applied.map((n) => `applied ${n}`).join('\n') : 'already up to date');
        break;
      }
      case 'downgrade': {
        if (!target) {
          io.err('downgrade needs a target: base, -1 (one step) or a migration name');
          return 2;
        }
        const reverted = await downgrade(database.db, target);
        io.out(reverted.length ? reverted.map((n) => `reverted ${n}`).join('\n') : 'nothing to revert');
        break;
      }
      case 'current': {
        const revision = await currentRevision(database.db);
        io.out(revision ? `${revision}${revision === HEAD ? ' (head)' : ''}` : 'base (no migration applied)');
        break;
      }
      case 'check': {
        const drift = await schemaDrift(database);
        const revision = await currentRevision(database.db);
        if (revision !== HEAD) drift.unshift(`migrations at ${revision ?? 'base'}, head is ${HEAD}`);
        if (drift.length) {
          io.err(`schema differs from the code:\n${drift.map((d) => `  - ${d}`).join('\n')}`);
          return 1;
        }
        io.out('schema matches the code');
        break;
      }
    }
    return 0;
  } finally {
    await database.close();
  }
}
