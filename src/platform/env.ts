import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, loadDatabaseConfig, type Config } from '../config.js';
import type { DatabaseConfig } from './db/database-url.js';

/** Reads `.env` when present; variables already in the environment win. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** The whole config from the environment, or exit listing every problem at once. */
export function configFromEnvironment(): Config {
  loadDotEnv();
  return orExit(() => loadConfig(process.env));
}

/** Only the database settings: migrations and seeding need no signing secret. */
export function databaseConfigFromEnvironment(): DatabaseConfig {
  loadDotEnv();
  return orExit(() => loadDatabaseConfig(process.env));
}

function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
