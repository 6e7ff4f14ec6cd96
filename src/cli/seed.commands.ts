import { parseArgs } from 'node:util';
import { DEMO_DEFAULTS, DemoExistsError, resetDemo, seedDemo } from '../demo/seed.js';
import { createDatabase } from '../platform/db/database.js';
import { loadDatabaseConfig } from '../config.js';
import type { CliContext } from './io.js';

const USAGE =
  'usage: crew seed demo [--users N] [--missions M] [--months K] [--seed S] [--today YYYY-MM-DD] [--reset]';

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/** `crew seed demo …`: writes the demo dataset and prints one JSON summary line. Returns the exit code. */
export async function runSeedCommand(args: string[], { env, io }: CliContext): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'demo') {
    io.err(USAGE);
    return 2;
  }
  let options;
  let reset: boolean;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        users: { type: 'string' },
        missions: { type: 'string' },
        months: { type: 'string' },
        seed: { type: 'string' },
        today: { type: 'string' },
        reset: { type: 'boolean', default: false },
      },
    });
    if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today)) {
      throw new RangeError('--today must be YYYY-MM-DD');
    }
    options = {
      users: positive('users', values.users, DEMO_DEFAULTS.users),
      missions: positive('missions', values.missions, DEMO_DEFAULTS.missions, 0),
      months: positive('months', values.months, DEMO_DEFAULTS.months),
      seed: positive('seed', values.seed, DEMO_DEFAULTS.seed, 0),
      ...(values.today ? { today: new Date(`${values.today}T00:00:00Z`) } : {}),
    };
    reset = values.reset;
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const database = createDatabase(loadDatabaseConfig(env), { poolSize: 2 });
  try {
    if (reset) await resetDemo(database.db);
    io.out(JSON.stringify(await seedDemo(database.db, options)));
    return 0;
  } catch (error) {
    if (error instanceof DemoExistsError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
