export type DatabaseConfig =
  { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; connectionString: string };

/**
 * Accepts the SQLAlchemy-style URLs of the Python backend unchanged:
 * `sqlite:///rel.db`, `sqlite:////abs.db`, `sqlite:///:memory:`, `sqlite+pysqlite:///…`,
 * `postgresql://`, `postgresql+psycopg://`, `postgresql+asyncpg://`, `postgres://`.
 */
export function parseDatabaseUrl(url: string): DatabaseConfig {
  const match = /^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url.trim());
  if (!match)
    throw new Error(`"${redact(url)}" is not a database URL (expected sqlite:/// or postgresql://)`);
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;

  if (scheme === 'sqlite') {
    // sqlite:/// + path: three slashes then a relative path, four for an absolute one; nothing means memory.
    if (rest === '' || rest === '/') return { dialect: 'sqlite', filename: ':memory:' };
    if (!rest.startsWith('/'))
      throw new Error('sqlite URLs take the form sqlite:///relative.db or sqlite:////abs.db');
    const path = decodeURIComponent(rest.slice(1).split('?')[0]!);
    return { dialect: 'sqlite', filename: path === '' ? ':memory:' : path };
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    const connectionString = `postgresql://${rest}`;
    try {
      const parsed = new URL(connectionString);
      if (!parsed.pathname || parsed.pathname === '/') throw new Error('missing database name');
    } catch (error) {
      throw new Error(`"${redact(url)}" is not a valid PostgreSQL URL: ${(error as Error).message}`);
    }
    return { dialect: 'postgres', connectionString };
  }
  throw new Error(`unsupported database "${scheme}" (supported: sqlite, postgresql)`);
}

/** Builds a URL from DB_DRIVER, DB_HOST, … when at least one of them is set (the seeds' composition). */
export function composeDatabaseUrl(env: Record<string, string | undefined>): string | undefined {
  const names = ['DB_DRIVER', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD'];
  if (!names.some((name) => env[name]?.trim())) return undefined;
  const get = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const driver = get('DB_DRIVER', 'postgresql').toLowerCase();
  if (driver.startsWith('sqlite')) return `sqlite:///${get('DB_NAME', 'rbok.db')}`;
  const user = encodeURIComponent(get('DB_USER', 'rbok'));
  const password = encodeURIComponent(get('DB_PASSWORD', 'rbok'));
  const host = get('DB_HOST', 'localhost');
  const port = get('DB_PORT', '5432');
  const name = encodeURIComponent(get('DB_NAME', 'rbok'));
  return `${driver}://${user}:${password}@${host}:${port}/${name}`;
}

/** Hides the password of a URL so it can appear in an error message or a log line. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
