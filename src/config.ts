import { parseDatabaseUrl, composeDatabaseUrl, type DatabaseConfig } from './platform/db/database-url.js';

/** The value `.env.example` ships with; the server refuses to start while the secret still equals it. */
export const SECRET_PLACEHOLDER = 'change-me-to-a-long-random-secret';

export const APP_ENVS = ['dev', 'test', 'prod'] as const;
export type AppEnv = (typeof APP_ENVS)[number];

export const JWT_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  appEnv: AppEnv;
  secretKey: string;
  database: DatabaseConfig;
  /** Pool size and the timeouts after which a request answers 503 instead of waiting (docs/reliability.md). */
  databaseOptions: {
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
  };
  accessTokenMinutes: number;
  refreshTokenDays: number;
  jwtAlg: JwtAlg;
  webrtc: {
    stunServers: string[];
    turnServers: string[];
    turnUsername: string | undefined;
    turnPassword: string | undefined;
    turnSecret: string | undefined;
  };
  host: string;
  port: number;
  corsAllowOrigins: string[];
  publicBaseUrl: string;
  trustProxy: boolean;
  /** The seed's `/rbac_demo/*` endpoints, kept for clients' tests: on by default except in prod. */
  rbacDemoRoutes: boolean;
  rateLimits: {
    /** login and reset requests per client IP per minute */
    authPerIp: number;
    /** login attempts on one account from one IP, and reset requests per email, per 15 minutes */
    authPerEmail: number;
    /** failed logins on one account from all IPs per 15 minutes before IPs that failed on it are refused */
    authPerAccount: number;
  };
  redisUrl: string | undefined;
  /** How long the session cache keeps an answer at most, 0 = off (docs/security.md, "Session cache"). */
  authCacheTtlMs: number;
  smtpUrl: string | undefined;
  /** The pooled SMTP transport: connections at once, mails per connection before it is renewed, each step's timeout. */
  smtp: { maxConnections: number; maxMessages: number; timeoutMs: number };
  mailFrom: string;
  outboxDir: string;
  logLevel: LogLevel;
  /** `/metrics`: off unless a token or a port is set (docs/operations.md). */
  metrics: { token: string | undefined; port: number | undefined };
  /** Live event streams (docs/events.md): heartbeat period, per-stream send buffer before a slow client is dropped. */
  eventStream: { heartbeatMs: number; maxBufferBytes: number };
  /** Webhooks: private, loopback and link-local targets are refused unless this is set (tests, docs/events.md). */
  webhookAllowPrivate: boolean;
  /** Retention (docs/events.md): sent notifications and webhook deliveries are deleted after this long. */
  retention: { sentNotificationsMs: number; sentWebhookDeliveriesMs: number };
}

export type Env = Record<string, string | undefined>;

/** Raised with every configuration problem at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_DATABASE: DatabaseConfig = { dialect: 'sqlite', filename: './data/dev.db' };

/** The database alone, for commands that need no secret (`crew db …`): DATABASE_URL, else DB_*, else SQLite. */
export function loadDatabaseConfig(env: Env): DatabaseConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || composeDatabaseUrl(env);
  if (!databaseUrl) return DEFAULT_DATABASE;
  try {
    return parseDatabaseUrl(databaseUrl);
  } catch (error) {
    throw new ConfigError([
      `${env.DATABASE_URL?.trim() ? 'DATABASE_URL' : 'DB_*'}: ${(error as Error).message}`,
    ]);
  }
}

/** Turns environment variables into one frozen Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const oneOf = <T extends string>(names: string[], allowed: readonly T[], fallback: T): T => {
    const value = read(...names);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!match) problems.push(`${names[0]} must be one of ${allowed.join(', ')} (got "${value}")`);
    return match ?? fallback;
  };
  const integer = (names: string[], fallback: number, min: number, max: number): number => {
    const value = read(...names);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${names[0]} must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  };
  const list = (name: string): string[] =>
    (read(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const url = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (!['http:', 'https:'].includes(parsed.protocol)) throw new Error('not http');
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return fallback;
    }
  };

  const appEnv = oneOf(['APP_ENV', 'ENV'], APP_ENVS, 'dev');
  const rbacDemoDefault = appEnv === 'prod' ? 'false' : 'true';

  const secretKey = read('REALISONS_SECRET_KEY', 'SECRET_KEY') ?? '';
  if (!secretKey) {
    problems.push('REALISONS_SECRET_KEY (or SECRET_KEY) is required: set it to a random value of 32+ bytes');
  } else if (secretKey === SECRET_PLACEHOLDER) {
    problems.push(
      'REALISONS_SECRET_KEY still holds the placeholder from .env.example: generate a random value',
    );
  } else if (appEnv === 'prod' && Buffer.byteLength(secretKey) < 32) {
    problems.push('REALISONS_SECRET_KEY must be at least 32 bytes long when APP_ENV=prod');
  }

  let database = DEFAULT_DATABASE;
  try {
    database = loadDatabaseConfig(env);
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }

  const corsAllowOrigins = list('CORS_ALLOW_ORIGINS');
  for (const origin of corsAllowOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(
        `CORS_ALLOW_ORIGINS entries must be origins like https://app.example.com (got "${origin}")`,
      );
    }
  }

  const config: Config = {
    appEnv,
    secretKey,
    database,
    databaseOptions: {
      poolSize: integer(['DB_POOL_SIZE'], 10, 1, 1000),
      connectTimeoutMs: integer(['DB_CONNECT_TIMEOUT_MS'], 2000, 100, 600_000),
      statementTimeoutMs: integer(['DB_STATEMENT_TIMEOUT_MS'], 5000, 0, 3_600_000),
      lockTimeoutMs: integer(['DB_LOCK_TIMEOUT_MS'], 2000, 0, 3_600_000),
    },
    accessTokenMinutes: integer(['ACCESS_TOKEN_EXPIRE_MINUTES', 'ACCESS_TOKEN_MINUTES'], 60, 1, 24 * 60),
    refreshTokenDays: integer(['REFRESH_TOKEN_DAYS'], 14, 1, 365),
    jwtAlg: oneOf(['JWT_ALG'], JWT_ALGS, 'HS256'),
    webrtc: {
      stunServers: list('WEBRTC_STUN_SERVERS'),
      turnServers: list('WEBRTC_TURN_SERVERS'),
      turnUsername: read('WEBRTC_TURN_USERNAME'),
      turnPassword: read('WEBRTC_TURN_PASSWORD'),
      turnSecret: read('WEBRTC_TURN_SECRET'),
    },
    host: read('HOST') ?? '127.0.0.1',
    port: integer(['PORT'], 8000, 0, 65535),
    corsAllowOrigins,
    publicBaseUrl: url('PUBLIC_BASE_URL', 'http://localhost:8000'),
    trustProxy: oneOf(['TRUST_PROXY'], ['true', 'false'] as const, 'false') === 'true',
    rbacDemoRoutes: oneOf(['RBAC_DEMO_ROUTES'], ['true', 'false'] as const, rbacDemoDefault) === 'true',
    rateLimits: {
      authPerIp: integer(['AUTH_RATE_LIMIT_PER_IP'], 30, 1, 1_000_000),
      authPerEmail: integer(['AUTH_RATE_LIMIT_PER_EMAIL'], 10, 1, 1_000_000),
      authPerAccount: integer(['AUTH_RATE_LIMIT_PER_ACCOUNT'], 50, 1, 1_000_000),
    },
    redisUrl: read('REDIS_URL'),
    authCacheTtlMs: integer(['AUTH_CACHE_TTL_MS'], 5000, 0, 60_000),
    smtpUrl: read('SMTP_URL'),
    smtp: {
      maxConnections: integer(['SMTP_MAX_CONNECTIONS'], 5, 1, 100),
      maxMessages: integer(['SMTP_MAX_MESSAGES'], 100, 1, 1_000_000),
      timeoutMs: integer(['SMTP_TIMEOUT_MS'], 30_000, 100, 600_000),
    },
    mailFrom: read('MAIL_FROM') ?? 'Coulisses Crew <no-reply@localhost>',
    outboxDir: read('OUTBOX_DIR') ?? './data/outbox',
    logLevel: oneOf(['LOG_LEVEL'], LOG_LEVELS, 'info'),
    metrics: {
      token: read('METRICS_TOKEN'),
      port: read('METRICS_PORT') === undefined ? undefined : integer(['METRICS_PORT'], 0, 0, 65535),
    },
    eventStream: {
      heartbeatMs: integer(['EVENT_STREAM_HEARTBEAT_MS'], 20_000, 50, 300_000),
      maxBufferBytes: integer(['EVENT_STREAM_MAX_BUFFER_BYTES'], 262_144, 1024, 67_108_864),
    },
    webhookAllowPrivate: oneOf(['WEBHOOK_ALLOW_PRIVATE'], ['true', 'false'] as const, 'false') === 'true',
    retention: {
      sentNotificationsMs: integer(['NOTIFICATION_RETENTION_DAYS'], 30, 1, 3650) * 86_400_000,
      sentWebhookDeliveriesMs: integer(['WEBHOOK_DELIVERY_RETENTION_DAYS'], 30, 1, 3650) * 86_400_000,
    },
  };
  if (config.metrics.token !== undefined && Buffer.byteLength(config.metrics.token) < 16) {
    problems.push('METRICS_TOKEN must be at least 16 bytes long (openssl rand -hex 24)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
