// `npm run stack`: compose.yaml's topology without Docker. A fresh PostgreSQL database on the local server,
// migrations run once by a one-shot `crew db upgrade`, then two `node dist/server.js` instances sharing that
// database and the local Redis, behind a small round-robin proxy (node:http). Ctrl-C stops everything and drops
// the database. The multi-instance tests import startStack() from here.
//
//   npm run stack [-- --instances 2] [--port 8080] [--keep]
//   env: STACK_PG_ADMIN_URL (postgresql://postgres@127.0.0.1:5432/postgres), STACK_REDIS_URL (redis://127.0.0.1:6379)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function adminQuery(adminUrl, statement) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function withDatabase(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function waitReady(url, child, timeoutMs = 30_000) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`instance exited with ${child.exitCode} before ${url}/readyz`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url}/readyz not ready within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Round-robin over the instances, one request at a time, as nginx's default upstream does: nothing sticky. The
 * answer says which instance served it (`x-stack-instance`), for tests and curious humans.
 */
function startProxy(upstreams, port) {
  let next = 0;
  const server = createServer((req, res) => {
    const index = next++ % upstreams.length;
    const target = new URL(upstreams[index]);
    const forwardedFor = req.headers['x-forwarded-for'];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-for': forwardedFor
            ? `${forwardedFor}, ${req.socket.remoteAddress}`
            : req.socket.remoteAddress,
          'x-forwarded-proto': 'http',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-stack-instance': String(index) });
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream ${index} failed: ${error.message}\n`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolveServer) => server.listen(port, '127.0.0.1', () => resolveServer(server)));
}

function ensureBuilt() {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale', '--quiet'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/**
 * Starts the stack and resolves once every instance answers /readyz. `env` is added to every instance's
 * environment (rate limits, token lifetimes, …). `stop()` ends the instances (SIGTERM, then SIGKILL after 10 s),
 * closes the proxy and drops the database unless `keep`.
 */
export async function startStack(options = {}) {
  const instances = options.instances ?? 2;
  const adminUrl = options.adminUrl ?? process.env.STACK_PG_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const redisUrl = options.redisUrl ?? process.env.STACK_REDIS_URL ?? DEFAULT_REDIS_URL;
  const log = options.log ?? (() => {});
  ensureBuilt();

  const name = `crew_stack_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(adminUrl, name);
  const children = [];
  let proxy;
  const stop = async () => {
    proxy?.closeAllConnections?.();
    await new Promise((r) => (proxy ? proxy.close(r) : r()));
    await Promise.all(
      children.map(
        (child) =>
          new Promise((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              r();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    if (!options.keep) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };

  try {
    const shared = {
      PATH: process.env.PATH ?? '',
      APP_ENV: options.appEnv ?? 'test',
      REALISONS_SECRET_KEY: randomBytes(48).toString('base64'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      TRUST_PROXY: 'true',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      OUTBOX_DIR: join(tmpdir(), `${name}-outbox`),
      ...options.env,
    };
    // The compose file's one-shot `migrate` service: once, before any instance starts.
    const migrate = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'db', 'upgrade'], {
      cwd: ROOT,
      env: shared,
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
    log(`migrated ${name}`);

    const urls = [];
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(ROOT, 'dist/server.js')], {
        cwd: ROOT,
        env: { ...shared, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(urls.map((url, i) => waitReady(url, children[i])));
    const proxyPort = options.port ?? (await freePort());
    proxy = await startProxy(urls, proxyPort);
    const url = `http://127.0.0.1:${proxyPort}`;
    log(`proxy ${url} → ${urls.join(', ')}`);
    return {
      url,
      instances: urls.map((instanceUrl, i) => ({ url: instanceUrl, pid: children[i].pid })),
      databaseUrl,
      redisUrl,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', default: '2' },
      port: { type: 'string', default: '8080' },
      keep: { type: 'boolean', default: false },
    },
  });
  const stack = await startStack({
    instances: Number(values.instances),
    port: Number(values.port),
    keep: values.keep,
    appEnv: 'dev',
    env: { LOG_LEVEL: 'info' },
    log: (line) => console.error(`stack: ${line}`),
  });
  console.error(`stack: up — ${stack.url} (database ${stack.databaseUrl}); Ctrl-C stops it`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.error('stack: stopping');
    await stack.stop();
    console.error('stack: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
