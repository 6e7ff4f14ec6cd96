import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SECRET_PLACEHOLDER, type Env } from '../../src/config.js';
import { parseDatabaseUrl } from '../../src/platform/db/database-url.js';

const SECRET = 'a-secret-of-more-than-thirty-two-bytes-0123456789';
const load = (env: Env) => loadConfig({ REALISONS_SECRET_KEY: SECRET, ...env });
const problemsOf = (env: Env): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('database URLs', () => {
  it.each([
    ['sqlite:///./x.db', { dialect: 'sqlite', filename: './x.db' }],
    ['sqlite:///rel.db', { dialect: 'sqlite', filename: 'rel.db' }],
    ['sqlite:////abs/x.db', { dialect: 'sqlite', filename: '/abs/x.db' }],
    ['sqlite:///:memory:', { dialect: 'sqlite', filename: ':memory:' }],
    ['sqlite+pysqlite:///:memory:', { dialect: 'sqlite', filename: ':memory:' }],
    ['sqlite://', { dialect: 'sqlite', filename: ':memory:' }],
    [
      'postgresql+psycopg://user:pw@host:5432/db',
      { dialect: 'postgres', connectionString: 'postgresql://user:pw@host:5432/db' },
    ],
    ['postgresql+asyncpg://u:p@h/db', { dialect: 'postgres', connectionString: 'postgresql://u:p@h/db' }],
    [
      'postgres://u@h:6543/db?sslmode=require',
      { dialect: 'postgres', connectionString: 'postgresql://u@h:6543/db?sslmode=require' },
    ],
    ['postgresql://u@h/db', { dialect: 'postgres', connectionString: 'postgresql://u@h/db' }],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it('rejects other databases and malformed URLs, without echoing the password', () => {
    expect(() => parseDatabaseUrl('mysql://u:p@h/db')).toThrow(/unsupported database "mysql"/);
    expect(() => parseDatabaseUrl('not a url')).toThrow(/not a database URL/);
    expect(() => parseDatabaseUrl('postgresql://u:hunter2@h')).toThrow(/u:\*\*\*@h/);
    expect(() => parseDatabaseUrl('postgresql://u:hunter2@h')).not.toThrow(/hunter2/);
  });
});

describe('loadConfig', () => {
  it('defaults to the embedded SQLite file and the documented values', () => {
    const config = load({});
    expect(config.database).toEqual({ dialect: 'sqlite', filename: './data/dev.db' });
    expect(config).toMatchObject({
      appEnv: 'dev',
      accessTokenMinutes: 60,
      refreshTokenDays: 14,
      jwtAlg: 'HS256',
      host: '127.0.0.1',
      port: 8000,
      publicBaseUrl: 'http://localhost:8000',
      corsAllowOrigins: [],
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.webrtc)).toBe(true);
  });

  it('honours every alias', () => {
    const config = loadConfig({ SECRET_KEY: SECRET, ENV: 'prod', ACCESS_TOKEN_MINUTES: '15' });
    expect(config.secretKey).toBe(SECRET);
    expect(config.appEnv).toBe('prod');
    expect(config.accessTokenMinutes).toBe(15);
    expect(load({ ACCESS_TOKEN_EXPIRE_MINUTES: '5', ACCESS_TOKEN_MINUTES: '15' }).accessTokenMinutes).toBe(5);
  });

  it('prefers DATABASE_URL over DB_*', () => {
    const config = load({ DATABASE_URL: 'sqlite:///./a.db', DB_HOST: 'db.internal' });
    expect(config.database).toEqual({ dialect: 'sqlite', filename: './a.db' });
  });

  it('composes DB_* with the seed defaults when at least one is set', () => {
    expect(load({ DB_HOST: 'db.internal' }).database).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://rbok:rbok@db.internal:5432/rbok',
    });
    expect(
      load({ DB_USER: 'crew', DB_PASSWORD: 'p@ss:word', DB_NAME: 'prod', DB_PORT: '6432' }).database,
    ).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://crew:p%40ss%3Aword@localhost:6432/prod',
    });
    expect(load({ DB_DRIVER: 'sqlite' }).database).toEqual({ dialect: 'sqlite', filename: 'rbok.db' });
    expect(load({ DB_DRIVER: 'sqlite', DB_NAME: 'crew.db' }).database).toEqual({
      dialect: 'sqlite',
      filename: 'crew.db',
    });
  });

  it('parses lists and WebRTC settings', () => {
    const config = load({
      WEBRTC_STUN_SERVERS: 'stun:a:3478, stun:b:3478',
      WEBRTC_TURN_SERVERS: 'turn:t:3478',
      WEBRTC_TURN_SECRET: 's',
      CORS_ALLOW_ORIGINS: 'https://app.example.com,http://localhost:5173',
    });
    expect(config.webrtc.stunServers).toEqual(['stun:a:3478', 'stun:b:3478']);
    expect(config.webrtc.turnServers).toEqual(['turn:t:3478']);
    expect(config.webrtc.turnSecret).toBe('s');
    expect(config.corsAllowOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('refuses a missing secret, naming the variable', () => {
    expect(problemsOf({})).toEqual([expect.stringContaining('REALISONS_SECRET_KEY')]);
  });

  it('refuses the placeholder of .env.example', () => {
    expect(problemsOf({ REALISONS_SECRET_KEY: SECRET_PLACEHOLDER })).toEqual([
      expect.stringMatching(/REALISONS_SECRET_KEY.*placeholder/),
    ]);
    expect(problemsOf({ SECRET_KEY: SECRET_PLACEHOLDER })).toHaveLength(1);
  });

  it('refuses a short secret in prod only', () => {
    expect(problemsOf({ REALISONS_SECRET_KEY: 'short', APP_ENV: 'prod' })).toEqual([
      expect.stringMatching(/REALISONS_SECRET_KEY.*32 bytes/),
    ]);
    expect(loadConfig({ REALISONS_SECRET_KEY: 'short', APP_ENV: 'dev' }).secretKey).toBe('short');
  });

  it('serves the rbac_demo routes except in prod, unless RBAC_DEMO_ROUTES says otherwise', () => {
    expect(load({ APP_ENV: 'dev' }).rbacDemoRoutes).toBe(true);
    expect(load({ APP_ENV: 'test' }).rbacDemoRoutes).toBe(true);
    expect(load({ APP_ENV: 'prod' }).rbacDemoRoutes).toBe(false);
    expect(load({ APP_ENV: 'prod', RBAC_DEMO_ROUTES: 'true' }).rbacDemoRoutes).toBe(true);
    expect(load({ APP_ENV: 'dev', RBAC_DEMO_ROUTES: 'false' }).rbacDemoRoutes).toBe(false);
    expect(problemsOf({ REALISONS_SECRET_KEY: SECRET, RBAC_DEMO_ROUTES: 'maybe' })).toEqual([
      expect.stringMatching(/^RBAC_DEMO_ROUTES must be one of true, false/),
    ]);
  });

  it('reads the database pool and timeouts, with documented defaults, and refuses nonsense', () => {
    expect(load({}).databaseOptions).toEqual({
      poolSize: 10,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      lockTimeoutMs: 2000,
    });
    expect(
      load({
        DB_POOL_SIZE: '4',
        DB_CONNECT_TIMEOUT_MS: '300',
        DB_STATEMENT_TIMEOUT_MS: '0',
        DB_LOCK_TIMEOUT_MS: '750',
      }).databaseOptions,
    ).toEqual({ poolSize: 4, connectTimeoutMs: 300, statementTimeoutMs: 0, lockTimeoutMs: 750 });
    expect(
      problemsOf({ REALISONS_SECRET_KEY: SECRET, DB_POOL_SIZE: '0', DB_STATEMENT_TIMEOUT_MS: 'soon' }),
    ).toEqual([
      'DB_POOL_SIZE must be an integer from 1 to 1000 (got "0")',
      'DB_STATEMENT_TIMEOUT_MS must be an integer from 0 to 3600000 (got "soon")',
    ]);
    expect(load({}).rateLimits).toMatchObject({ authPerEmail: 10, authPerAccount: 50 });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      APP_ENV: 'staging',
      PORT: 'eighty',
      JWT_ALG: 'none',
      ACCESS_TOKEN_EXPIRE_MINUTES: '-1',
      DATABASE_URL: 'mysql://x/y',
      PUBLIC_BASE_URL: 'ftp://x',
      CORS_ALLOW_ORIGINS: 'https://ok.example.com/path',
      LOG_LEVEL: 'loud',
    });
    const named = problems.map((p) => p.split(' ')[0]!.replace(/:$/, ''));
    expect(named.sort()).toEqual(
      [
        'ACCESS_TOKEN_EXPIRE_MINUTES',
        'APP_ENV',
        'CORS_ALLOW_ORIGINS',
        'DATABASE_URL',
        'JWT_ALG',
        'LOG_LEVEL',
        'PORT',
        'PUBLIC_BASE_URL',
        'REALISONS_SECRET_KEY',
      ].sort(),
    );
  });
});
