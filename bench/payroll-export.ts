/**
 * `npx tsx bench/payroll-export.ts [--scale M|L] [--db sqlite|postgres] [--file /tmp/x.db] [--database-url URL]
 *   [--runs 3] [--no-build] [--server-root DIR] [--export monthly.csv|aem.csv|…] [--warm-up YYYY-MM]`
 *
 * The monthly payroll CSV of a large org, streamed: seeds the demo dataset (`crew seed demo`, seed 42) at the
 * scale, approves a timesheet for every ACCEPTED assignment of its busiest month, binds an hourly rate with
 * premiums to every role name, then starts the compiled server (`npm run build`, `node dist/server.js`) in its own
 * process, downloads `GET …/pay/exports/monthly.csv` through HTTP and reports the time to the last byte, the rows,
 * and the server's RSS growth during the download (its /proc/<pid>/status VmRSS, sampled every 10 ms), with the
 * load average, and the file's SHA-256 (the same data must give the same bytes whatever the design: compare two
 * commits with `--server-root`). `--warm-up-requests N` first serves N ordinary API requests, unmeasured (a server
 * that has been in use). `--file` keeps (or reuses) a seeded SQLite file; `--database-url` reuses a seeded
 * PostgreSQL database (otherwise a fresh one is created and dropped). See BENCHMARKS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { seedDemo, DEMO_DOMAIN } from '../src/demo/seed.js';
import { insertSession } from '../src/modules/auth/sessions.repository.js';
import { accessTokens } from '../src/platform/auth/jwt.js';
import { DAY, isoIn, isoNow, newId } from '../src/platform/clock.js';
import { createDatabase, type Database, type Dialect } from '../src/platform/db/database.js';
import { upgrade } from '../src/platform/db/migrator.js';
import { freshDatabase } from './lib/fresh-database.js';

const ROOT = new URL('..', import.meta.url).pathname;
const SCALES = {
  XS: { users: 30, missions: 200 },
  M: { users: 2000, missions: 20_000 },
  L: { users: 20_000, missions: 200_000 },
} as const;
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'L' },
    db: { type: 'string', default: 'sqlite' },
    file: { type: 'string' },
    'database-url': { type: 'string' },
    runs: { type: 'string', default: '3' },
    /** another export of the same month, e.g. aem.csv (its SHA-256 compares two commits the same way) */
    export: { type: 'string', default: 'monthly.csv' },
    'no-build': { type: 'boolean', default: false },
    /** keep the fresh PostgreSQL database (its URL is logged) to reuse it with --database-url */
    keep: { type: 'boolean', default: false },
    /** another checkout's compiled server (dist/server.js under it), to compare two commits on one database */
    'server-root': { type: 'string' },
    /**
     * a diagnostic: download the same export of another month (YYYY-MM) once, unmeasured, before the runs, so
     * the first run finds a server that has already done one large export (its young generation grown and
     * touched, SQLite's page cache full)
     */
    'warm-up': { type: 'string' },
    /**
     * ordinary API traffic before the runs, unmeasured: this many GET requests, four at a time, paging through
     * the roster, the missions, the assignments and the timesheets and reading `/auth/me` in turn — a server as
     * it is after serving its users for a while (its young generation touched, SQLite's page cache in use), so
     * the first run measures what the export itself adds, not the process's first large request
     */
    'warm-up-requests': { type: 'string', default: '0' },
    'postgres-url': {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const scale = args.scale as keyof typeof SCALES;
const dialect = args.db as Dialect;
const log = (m: string) => console.error(`[payroll-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const SECRET = 'bench-secret-that-is-long-enough-0123456789';

/** The database to bench on: a kept SQLite file, a reused PostgreSQL database, or a fresh one of either. */
async function database(): Promise<{
  database: Database;
  url: string;
  reuse: boolean;
  drop(): Promise<void>;
}> {
  if (dialect === 'sqlite' && args.file) {
    const reuse = existsSync(args.file);
    const database = createDatabase({ dialect, filename: args.file });
    return { database, url: `sqlite:///${args.file}`, reuse, drop: () => database.close() };
  }
  if (dialect === 'postgres' && args['database-url']) {
    const database = createDatabase({ dialect, connectionString: args['database-url'] }, { poolSize: 4 });
    return { database, url: args['database-url'], reuse: true, drop: () => database.close() };
  }
  const fresh = await freshDatabase(dialect, {
    name: 'payroll',
    postgresUrl: args['postgres-url']!,
    poolSize: 4,
  });
  if (args.keep) {
    log(`keeping ${fresh.url}`);
    return { ...fresh, reuse: false, drop: () => fresh.database.close() };
  }
  return { ...fresh, reuse: false };
}

async function prepare(db: Database['db']) {
  const org = await db
    .selectFrom('orgs')
    .select(['id', 'timezone'])
    .where('name', '=', 'Demo Productions')
    .executeTakeFirstOrThrow();
  // the busiest month of ACCEPTED assignments (UTC months are close enough to choose)
  const months = await db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select([
      sql<string>`substr(${sql.raw(dialect === 'postgres' ? "to_char(m.starts_at at time zone 'UTC', 'YYYY-MM-DD')" : 'm.starts_at')}, 1, 7)`.as(
        'month',
      ),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('a.org_id', '=', org.id)
    .where('a.status', '=', 'ACCEPTED')
    .groupBy('month')
    .orderBy('n', 'desc')
    .execute();
  const month = months[0]!.month;
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const nextMonth = new Date(Date.UTC(year, mm, 1)).toISOString(); // Date.UTC months are 0-based
  const already = await db
    .selectFrom('timesheets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(already.n) === 0) {
    // ids in the UUID format the API's answers are checked against (a timesheets page would refuse to serialise
    // any other); on SQLite the groups of random hex digits the server's ids have
    const id =
      dialect === 'postgres'
        ? sql`gen_random_uuid()`
        : sql`lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`;
    const now = isoNow();
    // worked = planned + 30 min, 30 min of breaks, approved: every line is priced
    const plus30 =
      dialect === 'postgres'
        ? sql`m.ends_at + interval '30 minutes'`
        : sql`strftime('%Y-%m-%dT%H:%M:%fZ', m.ends_at, '+30 minutes')`;
    await sql`INSERT INTO timesheets (id, org_id, assignment_id, user_id, status, worked_start, worked_end, break_minutes,
        comment, pay_basis, cachets, submitted_at, decided_at, decided_by, sent_back_reason, created_at, updated_at)
      SELECT ${id}, a.org_id, a.id, a.user_id, 'APPROVED', m.starts_at, ${plus30}, 30, NULL, NULL, NULL, ${now}, ${now}, NULL, NULL, ${now}, ${now}
      FROM assignments a JOIN missions m ON m.id = a.mission_id
      WHERE a.org_id = ${org.id} AND a.status = 'ACCEPTED' AND m.starts_at >= ${`${month}-01T00:00:00.000Z`} AND m.starts_at < ${nextMonth}`.execute(
      db,
    );
    const profileId = newId();
    await db
      .insertInto('rate_profiles')
      .values({
        id: profileId,
        org_id: org.id,
        name: 'Bench hourly',
        basis: 'HOURLY',
        base_amount_cents: 1850,
        night_premium_pct: 25,
        sunday_premium_pct: 50,
        holiday_premium_pct: 100,
        overtime_premium_pct: 25,
        overtime_weekly_threshold_minutes: 2100,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const roles = await db
      .selectFrom('mission_roles')
      .select('name')
      .distinct()
      .where('org_id', '=', org.id)
      .execute();
    for (const r of roles)
      await db
        .insertInto('rate_bindings')
        .values({
          id: newId(),
          org_id: org.id,
          profile_id: profileId,
          user_id: null,
          role_name: r.name,
          mission_id: null,
          created_at: now,
        })
        .execute();
    if (dialect === 'postgres') await sql`ANALYZE`.execute(db);
  }
  const owner = await db
    .selectFrom('accounts')
    .select('id')
    .where('email', '=', `owner@${DEMO_DOMAIN}`)
    .executeTakeFirstOrThrow();
  const timesheets = await db
    .selectFrom('timesheets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { orgId: org.id, ownerId: owner.id, month, timesheets: Number(timesheets.n) };
}

/** A free local port for the server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) the process has used: unlike wall time, the neighbours' load does not skew it. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** The compiled server in its own process, as in production, on the prepared database. */
async function startServer(url: string) {
  const port = await freePort();
  const root = args['server-root'] ?? ROOT;
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server, and
  // BENCH_SERVER_STDOUT=/tmp/gc.log with "--trace-gc" to keep what it prints (the heap's sizes, collection by collection)
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const stdout = process.env.BENCH_SERVER_STDOUT ? openSync(process.env.BENCH_SERVER_STDOUT, 'w') : 'ignore';
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/server.js')], {
    cwd: root,
    env: {
      ...process.env,
      APP_ENV: 'prod',
      REALISONS_SECRET_KEY: SECRET,
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
    },
    stdio: ['ignore', stdout, 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the server exited:\n${stderr.join('').slice(-2000)}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not answer within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Downloads `url`; the server's VmRSS is sampled every 10 ms meanwhile. */
function download(url: string, token: string, pid: number) {
  return new Promise<{
    ms: number;
    bytes: number;
    lines: number;
    status: number;
    peakRss: number;
    sha256: string;
  }>((resolve, reject) => {
    const started = performance.now();
    let peakRss = rssOf(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 10);
    get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let lines = 0;
      const hash = createHash('sha256');
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        for (const b of chunk) if (b === 10) lines++;
      });
      res.on('end', () => {
        clearInterval(sampler);
        peakRss = Math.max(peakRss, rssOf(pid));
        resolve({
          ms: performance.now() - started,
          bytes,
          lines,
          status: res.statusCode ?? 0,
          peakRss,
          sha256: hash.digest('hex'),
        });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * `count` ordinary GET requests, four at a time: the roster, the missions, the assignments and the timesheets of
 * the month before `month`, each paged through by cursor (starting over at the end), and `/auth/me`, in turn.
 * Answers how many came back with each status, and each endpoint's median and slowest answer.
 */
async function ordinaryTraffic(api: string, orgId: string, token: string, count: number, month: string) {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const monthBefore = new Date(Date.UTC(year, mm - 2, 1)).toISOString().slice(0, 7); // not the exported one
  const list = (name: string, query = '') => ({
    name,
    url: `${api}/orgs/${orgId}/${name}?${query}limit=50`,
    cursor: null as string | null,
    ms: [] as number[],
  });
  const endpoints = [
    list('users'),
    list('missions'),
    list('assignments'),
    list('timesheets', `month=${monthBefore}&`),
    { name: 'auth/me', url: `${api}/auth/me`, cursor: null as string | null, ms: [] as number[] },
  ];
  const statuses: Record<number, number> = {};
  let issued = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (issued < count) {
        const endpoint = endpoints[issued++ % endpoints.length]!;
        const url = endpoint.cursor
          ? `${endpoint.url}&cursor=${encodeURIComponent(endpoint.cursor)}`
          : endpoint.url;
        const asked = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        const ms = performance.now() - asked;
        if (ms > 500)
          log(`warm-up: slow request (${Math.round(ms)} ms, ${res.status}): ${url.slice(api.length)}`);
        const body = (await res.json()) as { next_cursor?: string | null };
        endpoint.cursor = body.next_cursor ?? null; // /auth/me has none: always the same URL
        endpoint.ms.push(ms);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const latency = Object.fromEntries(
    endpoints
      .filter((e) => e.ms.length > 0)
      .map(({ name, ms }) => {
        const sorted = ms.sort((a, b) => a - b);
        return [name, { p50: +sorted[sorted.length >> 1]!.toFixed(1), max: +sorted.at(-1)!.toFixed(1) }];
      }),
  );
  return { statuses, latency };
}

if (!args['no-build']) {
  log('npm run build');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}
const bench = await database();
let server: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  const db = bench.database.db;
  await upgrade(db); // a reused database may predate newer migrations (the server refuses those: 503)
  const hasDemo = await db
    .selectFrom('orgs')
    .select('id')
    .where('name', '=', 'Demo Productions')
    .executeTakeFirst();
  if (!hasDemo) {
    log(
      `${dialect}: seeding scale ${scale} (${SCALES[scale].users} people, ${SCALES[scale].missions} missions)`,
    );
    const seeded = await seedDemo(db, { ...SCALES[scale], months: 12, seed: 42 });
    log(`seeded ${JSON.stringify(seeded)}`);
  }
  const fx = await prepare(db);
  log(`month ${fx.month}, ${fx.timesheets} approved timesheets`);
  const session = await insertSession(db, fx.ownerId, fx.orgId as never, isoIn(DAY));
  const tokens = accessTokens(
    loadConfig({
      REALISONS_SECRET_KEY: SECRET,
      APP_ENV: 'prod',
      LOG_LEVEL: 'silent',
      DATABASE_URL: bench.url,
    }),
  );
  const token = tokens.sign({ sub: fx.ownerId, org: fx.orgId, sid: session.id }).token;
  server = await startServer(bench.url);
  const url = `${server.base}/api/v1/orgs/${fx.orgId}/pay/exports/${args.export}?month=${fx.month}&decimal=comma`;
  if (args['warm-up']) {
    const warmUp = await download(
      url.replace(`month=${fx.month}`, `month=${args['warm-up']}`),
      token,
      server.pid,
    );
    log(`warm-up: ${args['warm-up']}, ${warmUp.status}, ${warmUp.lines - 1} rows`);
  }
  const warmUpRequests = Number(args['warm-up-requests']);
  if (warmUpRequests > 0) {
    const before = rssOf(server.pid);
    const started = performance.now();
    const { statuses, latency } = await ordinaryTraffic(
      `${server.base}/api/v1`,
      fx.orgId,
      token,
      warmUpRequests,
      fx.month,
    );
    log(
      `warm-up: ${warmUpRequests} ordinary requests in ${Math.round(performance.now() - started)} ms, ` +
        `statuses ${JSON.stringify(statuses)}, ms ${JSON.stringify(latency)}, server RSS ${Math.round(before / 1e6)} → ${Math.round(rssOf(server.pid) / 1e6)} MB`,
    );
  }
  const results = [];
  for (let run = 0; run < Number(args.runs); run++) {
    const before = rssOf(server.pid);
    const load = loadavg()[0]!.toFixed(1);
    const cpuBefore = cpuOf(server.pid);
    const r = await download(url, token, server.pid);
    const cpu = cpuOf(server.pid) - cpuBefore;
    results.push({
      run,
      status: r.status,
      seconds: +(r.ms / 1000).toFixed(2),
      server_cpu_seconds: +cpu.toFixed(2),
      rows: r.lines - 1,
      mb: +(r.bytes / 1e6).toFixed(1),
      server_rss_before_mb: Math.round(before / 1e6),
      server_rss_growth_mb: +((r.peakRss - before) / 1e6).toFixed(1),
      load_average: Number(load),
      // the same data gives the same file: compare it between two commits (`--server-root`)
      sha256: r.sha256.slice(0, 16),
    });
    log(JSON.stringify(results.at(-1)));
  }
  console.log(
    JSON.stringify({
      scale,
      dialect,
      month: fx.month,
      warm_up_requests: warmUpRequests,
      timesheets: fx.timesheets,
      node: process.version,
      results,
    }),
  );
} finally {
  await server?.stop();
  await bench.drop();
}
