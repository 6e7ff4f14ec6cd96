import { sql } from 'kysely';
/**
 * `npm run bench [-- --scale XS|S|M|L --db sqlite|postgres|both --duration SECONDS --repeat N --only NAMES --no-build]`
 * (`--only`: comma-separated parts of endpoint names, e.g. `--only conflicts,auth/me`)
 *
 * Builds, then per dialect: a fresh database, migrations, the demo dataset, a pool of fresh invitations; starts
 * `node dist/server.js` in production mode and, next to it, the bare baseline (bench/baseline-server.ts); measures
 * each endpoint with autocannon (50 connections) against both, plus a raw argon2id verify loop for login, and
 * ours alone (one connection, sequential requests): p99 at 50 connections over that single-request p50 and
 * over its own p50 say how fair the latency under load is; "floor" is what Little's law leaves reachable.
 * Prints a table, writes bench/results/<timestamp>.json, exits 1 when the server died or an endpoint answered
 * errors or unexpected non-2xx. See BENCHMARKS.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import type { Insertable } from 'kysely';
import pg from 'pg';
import { DEMO_DOMAIN, DEMO_PASSWORD, seedDemo } from '../src/demo/seed.js';
import { DAY, HOUR, newId } from '../src/platform/clock.js';
import { createDatabase, type Database, type Dialect } from '../src/platform/db/database.js';
import { upgrade } from '../src/platform/db/migrator.js';
import type { AssignmentsTable, MissionRolesTable, MissionsTable } from '../src/platform/db/tables.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = 50;
const SCALES = {
  XS: { users: 30, missions: 200 },
  S: { users: 200, missions: 2000 },
  M: { users: 2000, missions: 20_000 },
  L: { users: 20_000, missions: 200_000 },
} as const;
type Scale = keyof typeof SCALES;

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'M' },
    db: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    repeat: { type: 'string', default: '1' },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'postgres-url': {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const scale = args.scale!.toUpperCase() as Scale;
if (!(scale in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
const duration = Number(args.duration);
if (!(duration > 0)) throw new Error('--duration must be a positive number of seconds');
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
const dialects: Dialect[] =
  args.db === 'both'
    ? ['sqlite', 'postgres']
    : args.db === 'sqlite' || args.db === 'postgres'
      ? [args.db]
      : [];
if (dialects.length === 0) throw new Error('--db must be sqlite, postgres or both');
const only = args.only
  ?.split(',')
  .map((part) => part.trim().toLowerCase())
  .filter(Boolean);
const selected = (name: string) => !only || only.some((part) => name.toLowerCase().includes(part));

const log = (message: string) => console.error(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- measurements

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** p99 without each connection's first answer (its wait to be accepted): the steady state. */
  warm_p99?: number;
  requests: number;
  errors: number;
  non2xx: number;
  rss_max_mb?: number;
  event_loop_p99_ms?: number;
  /**
   * The server's CPU time per answered request over the run and its drain (ms): the service time under load,
   * which the machine's other work does not inflate the way it inflates wall-clock latency.
   */
  cpu_ms_per_request?: number;
  /** The bench process's own CPU time per request during the run (autocannon): what the load generator takes. */
  client_cpu_ms_per_request?: number;
}

/** One connection, one request at a time: the latency a request has when nobody else is there. */
interface Single {
  /** Median and 99th percentile of sequential requests over {@link SINGLE_SECONDS} (ms, 0.01 ms resolution). */
  p50: number;
  p99: number;
  requests: number;
}

interface Endpoint {
  name: string;
  status: 'ok' | 'not available' | 'failed';
  note?: string;
  ours?: Figures;
  baseline?: Figures;
  /** Median over the repetitions of (ours / the baseline measured right after it). */
  ratio?: number;
  /** Median over the repetitions of (the baseline's server CPU per request / ours). */
  cpu_ratio?: number;
  /** Ours alone (medians over the repetitions). */
  single?: Single;
  /** Fairness under load (issue 13, item 3): p99 at 50 connections / the single-request p50, and p99 / p50. */
  p99_over_single?: number;
  p99_over_p50?: number;
  /** The same with the warm p99 (each connection's first answer left out). */
  warm_p99_over_single?: number;
  /**
   * Little's law: with 50 closed-loop connections the mean latency is 50 / throughput, so
   * 50 / (req/s) / single p50 is the smallest mean-latency ratio this throughput allows, whatever the order.
   */
  queueing_floor?: number;
  runs?: { ours: Figures[]; baseline: Figures[]; single?: Single[] };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Several repetitions → medians of rates and latencies, totals of failures, the max RSS. */

/** Waits (up to 2 minutes) until the server answers a health check within 50 ms: its backlog is drained. */
async function settle(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const started = Date.now();
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok && Date.now() - started < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A process's CPU time so far (user + system), in clock ticks of 10 ms; NaN once it is gone. */
function cpuTicks(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/**
 * Waits (up to 30 s) until a process uses under 10 % of a core over a quarter of a second: after start, the server
 * compiles the remaining route schemas in the background, which would otherwise land in the first run.
 */
async function idle(pid: number | undefined): Promise<void> {
  const cpu = () => cpuTicks(pid);
  const deadline = Date.now() + 30_000;
  let before = cpu();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = cpu();
    if (!(now - before > 2.5)) return;
    before = now;
  }
}

function combine(runs: Figures[]): Figures {
  const of = (key: keyof Figures) => runs.map((r) => r[key]).filter((v): v is number => v !== undefined);
  const el = of('event_loop_p99_ms');
  const cpu = of('cpu_ms_per_request');
  const clientCpu = of('client_cpu_ms_per_request');
  const warm = of('warm_p99');
  const rss = of('rss_max_mb');
  return {
    rps: Math.round(median(of('rps'))),
    p50: median(of('p50')),
    p99: median(of('p99')),
    ...(warm.length ? { warm_p99: median(warm) } : {}),
    requests: of('requests').reduce((a, b) => a + b, 0),
    errors: of('errors').reduce((a, b) => a + b, 0),
    non2xx: of('non2xx').reduce((a, b) => a + b, 0),
    ...(rss.length ? { rss_max_mb: Math.max(...rss) } : {}),
    ...(el.length ? { event_loop_p99_ms: Math.round(median(el) * 100) / 100 } : {}),
    ...(cpu.length ? { cpu_ms_per_request: median(cpu) } : {}),
    ...(clientCpu.length ? { client_cpu_ms_per_request: median(clientCpu) } : {}),
  };
}

function figures(result: Cannonade): Figures {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...(result.warm_p99 === undefined ? {} : { warm_p99: result.warm_p99 }),
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Max VmRSS (MB) of a process while `work` runs, sampled every 200 ms. */
async function withRss<T>(pid: number | undefined, work: () => Promise<T>): Promise<[T, number]> {
  let max = 0;
  const sample = () => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) max = Math.max(max, Number(kb) / 1024);
    } catch {
      // the process is gone: reported elsewhere
    }
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    return [await work(), Math.round(max)];
  } finally {
    clearInterval(timer);
    sample();
  }
}

type Cannonade = autocannon.Result & { warm_p99?: number };

/**
 * autocannon's result, plus the p99 of the answers after each connection's first. A busy server takes a new
 * connection from the kernel's accept queue about once per event-loop turn, so at the start of a run the last of
 * the 50 connections wait tens of turns for their first answer; `warm_p99` leaves that start-up out.
 */
function cannon(options: autocannon.Options): Promise<Cannonade> {
  return new Promise((resolve, reject) => {
    const started = new WeakSet<object>();
    const warm: number[] = [];
    const instance = autocannon({ connections: CONNECTIONS, duration, ...options }, (error, result) => {
      if (error) return reject(error);
      warm.sort((a, b) => a - b);
      const p99 = warm[Math.min(warm.length - 1, Math.floor(warm.length * 0.99))];
      resolve({ ...result, ...(p99 === undefined ? {} : { warm_p99: Math.round(p99) }) });
    });
    instance.on('response', (client: object, status: number, _bytes: number, responseTime: number) => {
      if (!started.has(client)) started.add(client);
      else if (status < 300) warm.push(responseTime);
    });
  });
}

/** How long the single-request measurement of each endpoint runs (per repetition). */
const SINGLE_SECONDS = Math.min(2, duration);

/**
 * Sequential requests on one kept-alive connection for {@link SINGLE_SECONDS} (at least 20): the latency of one
 * request alone, timed here with sub-millisecond resolution (autocannon's histogram has whole milliseconds).
 * A spec's `setupRequest` (the accept pool, the login accounts) is honoured, so each request is the next one.
 */
async function single(options: autocannon.Options): Promise<Single> {
  const url = new URL(String(options.url));
  const template = options.requests?.[0];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = {
    method: (template?.method ?? options.method ?? 'GET') as string,
    path: `${url.pathname}${url.search}`,
    headers: { ...(options.headers ?? {}), ...(template?.headers ?? {}) } as Record<string, string>,
    body: (template?.body ?? options.body) as string | undefined,
  };
  const once = (request: typeof base) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: request.headers,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 500) < 300
              ? resolve(performance.now() - started)
              : reject(new Error(`single request answered ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  const latencies: number[] = [];
  const end = performance.now() + SINGLE_SECONDS * 1000;
  try {
    while (latencies.length < 20 || performance.now() < end) {
      const setup = template?.setupRequest;
      const request =
        typeof setup === 'function' ? { ...base, ...setup({ ...base } as autocannon.Request, {}) } : base;
      latencies.push(await once(request as typeof base));
    }
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), requests: latencies.length };
}

/** The raw argon2id verify rate at the same concurrency: what login can at best reach on this machine. */
async function argon2Baseline(): Promise<Figures> {
  const stored = await hash(DEMO_PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const latencies: number[] = [];
  const end = Date.now() + duration * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        if (!(await verify(stored, DEMO_PASSWORD))) throw new Error('argon2 verify failed');
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!);
  return {
    rps: Math.round(latencies.length / ((Date.now() - started) / 1000)),
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    errors: 0,
    non2xx: 0,
  };
}

// ---------------------------------------------------------------------------------------------- processes

interface Child {
  process: ChildProcess;
  url: string;
  stderr: string[];
  exited: boolean;
}

async function startChild(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  port: number,
) {
  const child = spawn(command, argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state: Child = { process: child, url: `http://127.0.0.1:${port}`, stderr: [], exited: false };
  child.stderr!.on('data', (chunk: Buffer) =>
    state.stderr.push(...chunk.toString().split('\n').filter(Boolean)),
  );
  child.stdout!.resume();
  child.on('exit', () => (state.exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (state.exited) throw new Error(`${argv.join(' ')} exited:\n${state.stderr.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${state.url}/healthz`);
      if (res.ok) return state;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${argv.join(' ')} did not answer within 30 s`);
    await sleep(100);
  }
}

async function stopChild(child: Child | undefined) {
  if (!child || child.exited) return;
  child.process.kill('SIGTERM');
  for (let i = 0; i < 100 && !child.exited; i++) await sleep(100);
  if (!child.exited) child.process.kill('SIGKILL');
}

/** Resets the server's event-loop histogram, runs `work`, returns the p99 delay (ms) meanwhile. */
async function withEventLoop<T>(server: Child, work: () => Promise<T>): Promise<[T, number | undefined]> {
  server.process.kill('SIGUSR2');
  await sleep(50);
  const result = await work();
  const before = server.stderr.length;
  server.process.kill('SIGUSR2');
  for (let i = 0; i < 20; i++) {
    const line = server.stderr.slice(before).find((l) => l.startsWith('bench-event-loop '));
    if (line) return [result, JSON.parse(line.slice('bench-event-loop '.length)).p99 as number];
    await sleep(50);
  }
  return [result, undefined];
}

let nextPort = 18_000 + Math.floor(Math.random() * 20_000);

// ---------------------------------------------------------------------------------------------- data

interface Targets {
  orgId: string;
  managerAccountId: string;
  from: string;
  to: string;
  earliest: string;
  conflictsUser: string;
  mission: { id: string; roleId: string; skill: string; minLevel: number; starts: string; ends: string };
  pool: string[];
  /** Every demo login (member accounts and crew logins): login runs spread over them like real traffic. */
  emails: string[];
}

/** Fresh INVITED assignments for the accept run: one 4 h mission each, two days apart per person, far ahead. */
async function invitationPool(
  database: Database,
  orgId: string,
  managerId: string,
  size: number,
): Promise<string[]> {
  const { db } = database;
  const users = (
    await db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', orgId)
      .where('active', '=', database.dialect === 'sqlite' ? (1 as never) : true)
      .orderBy('id')
      .execute()
  ).map((u) => u.id);
  const now = new Date().toISOString();
  const base = Math.floor(Date.now() / DAY) * DAY + 800 * DAY + 9 * HOUR;
  const projectId = newId();
  await db
    .insertInto('projects')
    .values({
      id: projectId,
      org_id: orgId,
      name: `Bench pool ${projectId.slice(0, 8)}`,
      description: 'Invitations accepted by npm run bench',
      status: 'ACTIVE',
      starts_at: null,
      ends_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const ids: string[] = [];
  const CHUNK = 500;
  for (let start = 0; start < size; start += CHUNK) {
    const missions: Insertable<MissionsTable>[] = [];
    const roles: Insertable<MissionRolesTable>[] = [];
    const assignments: Insertable<AssignmentsTable>[] = [];
    for (let i = start; i < Math.min(size, start + CHUNK); i++) {
      const slot = Math.floor(i / users.length);
      const starts = base + slot * 2 * DAY;
      const mission = newId();
      const role = newId();
      const id = newId();
      missions.push({
        id: mission,
        org_id: orgId,
        project_id: projectId,
        title: `Bench ${i}`,
        starts_at: new Date(starts).toISOString(),
        ends_at: new Date(starts + 4 * HOUR).toISOString(),
        location: null,
        notes: null,
        published_at: now,
        created_at: now,
        updated_at: now,
      });
      roles.push({
        id: role,
        org_id: orgId,
        mission_id: mission,
        name: 'Stagehand',
        quota: 1,
        skill: null,
        min_level: null,
        accepted_count: 0,
        created_at: now,
      });
      assignments.push({
        id,
        org_id: orgId,
        mission_id: mission,
        role_id: role,
        user_id: users[i % users.length]!,
        status: 'INVITED' as const,
        note: null,
        reason: null,
        invited_by: managerId,
        responded_at: null,
        created_at: now,
        updated_at: now,
      });
      ids.push(id);
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('missions').values(missions).execute();
      await tx.insertInto('mission_roles').values(roles).execute();
      await tx.insertInto('assignments').values(assignments).execute();
    });
  }
  return ids;
}

async function prepare(database: Database, poolSize: number): Promise<Targets> {
  const { db } = database;
  const org = await db
    .selectFrom('orgs')
    .select('id')
    .where('name', '=', 'Demo Productions')
    .executeTakeFirstOrThrow();
  const manager = await db
    .selectFrom('accounts')
    .select('id')
    .where('email', '=', `manager@${DEMO_DOMAIN}`)
    .executeTakeFirstOrThrow();
  const today = Math.floor(Date.now() / DAY) * DAY;
  const from = new Date(today).toISOString();
  const to = new Date(today + 30 * DAY).toISOString();
  // The user with the most active assignments: the heaviest conflicts query.
  const busiest = await db
    .selectFrom('assignments')
    .select(['user_id', (eb) => eb.fn.countAll().as('n')])
    .where('org_id', '=', org.id)
    .where('status', 'in', ['INVITED', 'ACCEPTED'])
    .groupBy('user_id')
    .orderBy('n', 'desc')
    .orderBy('user_id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const role = await db
    .selectFrom('mission_roles as r')
    .innerJoin('missions as m', 'm.id', 'r.mission_id')
    .select(['m.id as mission_id', 'r.id as role_id', 'r.skill', 'r.min_level', 'm.starts_at', 'm.ends_at'])
    .where('r.org_id', '=', org.id)
    .where('r.skill', 'is not', null)
    .where('m.published_at', 'is not', null)
    .where('m.starts_at', '>', from)
    .whereRef('r.accepted_count', '<', 'r.quota')
    .orderBy('m.starts_at')
    .orderBy('r.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const pool = await invitationPool(database, org.id, manager.id, poolSize);
  const emails = (
    await db
      .selectFrom('accounts')
      .select('email')
      .where('email', 'like', `%@${DEMO_DOMAIN}`)
      .orderBy('email')
      .execute()
  ).map((a) => a.email);
  return {
    orgId: org.id,
    managerAccountId: manager.id,
    from,
    to,
    earliest: new Date(today - 30 * DAY).toISOString(),
    conflictsUser: busiest.user_id,
    mission: {
      id: role.mission_id,
      roleId: role.role_id,
      skill: role.skill!,
      minLevel: role.min_level ?? 1,
      starts: role.starts_at,
      ends: role.ends_at,
    },
    pool,
    emails,
  };
}

// ---------------------------------------------------------------------------------------------- one dialect

interface DialectResult {
  dialect: Dialect;
  seed: Record<string, unknown>;
  endpoints: Endpoint[];
  server_rss_max_mb: number;
  server_died: boolean;
  /** 1, 5 and 15-minute load averages when this dialect's measurements started. */
  loadavg: number[];
}

async function freshDatabase(dialect: Dialect, work: string) {
  if (dialect === 'sqlite') {
    const filename = join(work, 'bench.db');
    return { url: `sqlite:///${filename}`, target: filename, drop: async () => {} };
  }
  const name = `crew_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: args['postgres-url'] });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(args['postgres-url']!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    target: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: args['postgres-url'] });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

type Fresh = Awaited<ReturnType<typeof freshDatabase>>;

/** Migrates and seeds the dialect's fresh database at the chosen scale, and picks what the runs will hit. */
async function seedAndPrepare(
  dialect: Dialect,
  db: Fresh,
): Promise<{ seed: Record<string, unknown>; targets: Targets }> {
  const database = createDatabase(
    dialect === 'sqlite' ? { dialect, filename: db.target } : { dialect, connectionString: db.target },
    { poolSize: 4 },
  );
  try {
    await upgrade(database.db);
    log(
      `${dialect}: seeding scale ${scale} (${SCALES[scale].users} users, ${SCALES[scale].missions} missions)`,
    );
    const seed = { ...(await seedDemo(database.db, { ...SCALES[scale], months: 12, seed: 42 })) };
    log(`${dialect}: seeded ${JSON.stringify(seed)}`);
    const targets = await prepare(
      database,
      Math.min(300_000, Math.ceil(repeat * duration * (dialect === 'sqlite' ? 4000 : 2500))),
    );
    // A bulk load leaves PostgreSQL without statistics until autovacuum passes; production tables have them.
    // (SQLite gathers its own when the server opens the file.)
    if (dialect === 'postgres') await sql`ANALYZE`.execute(database.db);
    return { seed, targets };
  } finally {
    await database.close();
  }
}

/**
 * The compiled server, as in production, on the seeded database. `BENCH_SERVER_NODE_ARGS` (space-separated)
 * go to its node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
 */
function startServer(db: Fresh, work: string): Promise<Child> {
  const serverPort = nextPort++;
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startChild(
    process.execPath,
    [...nodeArgs, join(ROOT, 'dist/server.js')],
    {
      APP_ENV: 'prod',
      REALISONS_SECRET_KEY: randomBytes(48).toString('base64'),
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: String(serverPort),
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_IP: '1000000',
      AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
      OUTBOX_DIR: join(work, 'outbox'),
      BENCH_EVENT_LOOP: '1',
      REDIS_URL: '',
    },
    work,
    serverPort,
  );
}

/** The hand-written baseline server (bench/baseline-server.ts) on the same database. */
function startBaseline(dialect: Dialect, db: Fresh): Promise<Child> {
  const baselinePort = nextPort++;
  return startChild(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/baseline-server.ts')],
    { BASELINE_DIALECT: dialect, BASELINE_DB: db.target, PORT: String(baselinePort) },
    ROOT,
    baselinePort,
  );
}

interface Spec {
  name: string;
  ours: autocannon.Options;
  baseline?: string;
  argon2?: boolean;
}

/** Logs in as the demo manager and describes each endpoint run: ours, and what to compare it with. */
async function endpointSpecs(server: Child, targets: Targets): Promise<Spec[]> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `manager@${DEMO_DOMAIN}`, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const token = ((await login.json()) as { access_token: string }).access_token;
  const auth = { authorization: `Bearer ${token}` };
  const org = `/api/v1/orgs/${targets.orgId}`;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  return [
    { name: 'GET /healthz', ours: { url: `${server.url}/healthz` }, baseline: '/healthz' },
    {
      name: 'GET /auth/me',
      ours: { url: `${server.url}/api/v1/auth/me`, headers: auth },
      baseline: `/me?${q({ account_id: targets.managerAccountId })}`,
    },
    {
      name: 'GET missions page (50)',
      ours: {
        url: `${server.url}${org}/missions?${q({ from: targets.from, to: targets.to, limit: '50' })}`,
        headers: auth,
      },
      baseline: `/missions?${q({ org_id: targets.orgId, from: targets.from, to: targets.to, earliest: targets.earliest })}`,
    },
    {
      name: 'GET conflicts?user_id',
      ours: {
        url: `${server.url}${org}/conflicts?${q({ user_id: targets.conflictsUser, from: targets.earliest, to: targets.to })}`,
        headers: auth,
      },
      baseline: `/conflicts?${q({ org_id: targets.orgId, user_id: targets.conflictsUser, from: targets.earliest, to: targets.to })}`,
    },
    {
      name: 'GET users list (50)',
      ours: { url: `${server.url}${org}/users?limit=50`, headers: auth },
      baseline: `/users?${q({ org_id: targets.orgId })}`,
    },
    {
      name: 'GET assignments list (50)',
      ours: { url: `${server.url}${org}/assignments?limit=50`, headers: auth },
      baseline: `/assignments?${q({ org_id: targets.orgId })}`,
    },
    {
      name: 'GET role suggestions',
      ours: {
        url: `${server.url}${org}/missions/${targets.mission.id}/roles/${targets.mission.roleId}/suggestions`,
        headers: auth,
      },
      baseline: `/suggestions?${q({ org_id: targets.orgId, mission_id: targets.mission.id, role_id: targets.mission.roleId })}`,
    },
    (() => {
      let next = 0;
      const pool = targets.pool;
      return {
        name: 'POST accept (write)',
        ours: {
          url: `${server.url}${org}/assignments/${pool[pool.length - 1]}/accept`,
          maxOverallRequests: pool.length - 1,
          requests: [
            {
              method: 'POST' as const,
              headers: { ...auth, 'content-type': 'application/json' },
              body: '{}',
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                path: `${org}/assignments/${pool[next++ % (pool.length - 1)]}/accept`,
              }),
            },
          ],
        },
      };
    })(),
    (() => {
      let next = 0;
      const body = (email: string) => JSON.stringify({ email, password: DEMO_PASSWORD });
      return {
        name: 'POST /auth/login',
        ours: {
          url: `${server.url}/api/v1/auth/login`,
          requests: [
            {
              method: 'POST' as const,
              headers: { 'content-type': 'application/json' },
              body: body(`manager@${DEMO_DOMAIN}`),
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                body: body(targets.emails[next++ % targets.emails.length]!),
              }),
            },
          ],
        },
        argon2: true,
      };
    })(),
  ];
}

/**
 * Runs one endpoint `repeat` times, each run followed by its baseline, and returns its figures; a route that does
 * not exist yet is "not available", a dead server or a refused connection "failed", keeping what was measured.
 */
async function measure(
  dialect: Dialect,
  spec: Spec,
  server: Child,
  baseline: Child,
): Promise<{ endpoint: Endpoint; rssMax: number }> {
  let rssMax = 0;
  // autocannon stops sending, not the server working: slow requests still queued from the previous run
  // would eat this run's window. Wait until the server answers promptly again.
  await settle(`${server.url}/healthz`);
  try {
    // A route that does not exist yet answers the not-found handler's 404: skip it, say so.
    const probeUrl = String(spec.ours.url);
    const headers = (spec.ours.headers ?? spec.ours.requests?.[0]?.headers) as
      Record<string, string> | undefined;
    const body = (spec.ours.body ?? spec.ours.requests?.[0]?.body) as string | undefined;
    const probe = await fetch(probeUrl, {
      method: spec.ours.method ?? (spec.ours.requests ? 'POST' : 'GET'),
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const probeBody = await probe.text();
    if (probe.status === 404 && /No route for/.test(probeBody)) {
      log(`${dialect}: ${spec.name}: not available (no route yet)`);
      return { endpoint: { name: spec.name, status: 'not available' }, rssMax };
    }
    const note = probe.ok ? undefined : `probe answered ${probe.status}: ${probeBody.slice(0, 200)}`;
    if (note) log(`${dialect}: ${spec.name}: ${note}`);
    log(`${dialect}: ${spec.name} …`);
    const oursRuns: Figures[] = [];
    const baseRuns: Figures[] = [];
    const singleRuns: Single[] = [];
    for (let run = 0; run < repeat; run++) {
      await settle(`${server.url}/healthz`);
      singleRuns.push(await single(spec.ours));
      const ticks = cpuTicks(server.process.pid);
      const client = process.cpuUsage();
      const [[result, eventLoop], rss] = await withRss(server.process.pid, () =>
        withEventLoop(server, () => cannon(spec.ours)),
      );
      const clientUs = process.cpuUsage(client);
      rssMax = Math.max(rssMax, rss);
      // The baseline right after ours (once ours has drained), each repetition: both see the same background load.
      await settle(`${server.url}/healthz`);
      const cpuMs = (cpuTicks(server.process.pid) - ticks) * 10;
      oursRuns.push({
        ...figures(result),
        rss_max_mb: rss,
        ...(eventLoop === undefined ? {} : { event_loop_p99_ms: eventLoop }),
        ...(cpuMs >= 0 && result.requests.total > 0
          ? { cpu_ms_per_request: Math.round((cpuMs / result.requests.total) * 100) / 100 }
          : {}),
        ...(result.requests.total > 0
          ? {
              client_cpu_ms_per_request:
                Math.round(((clientUs.user + clientUs.system) / 1000 / result.requests.total) * 100) / 100,
            }
          : {}),
      });
      if (spec.baseline) {
        const baseTicks = cpuTicks(baseline.process.pid);
        const result = await cannon({ url: `${baseline.url}${spec.baseline}` });
        await sleep(200);
        const baseMs = (cpuTicks(baseline.process.pid) - baseTicks) * 10;
        baseRuns.push({
          ...figures(result),
          ...(baseMs >= 0 && result.requests.total > 0
            ? { cpu_ms_per_request: Math.round((baseMs / result.requests.total) * 1000) / 1000 }
            : {}),
        });
      } else if (spec.argon2) baseRuns.push(await argon2Baseline());
    }
    const ours = combine(oursRuns);
    const base = baseRuns.length ? combine(baseRuns) : undefined;
    const ratio = base
      ? Math.round(median(oursRuns.map((o, i) => o.rps / Math.max(1, baseRuns[i]!.rps))) * 100) / 100
      : undefined;
    // The same comparison in server CPU per request: what the load generator sharing the cores does not skew.
    const cpuRatios = oursRuns.flatMap((o, i) => {
      const b = baseRuns[i]?.cpu_ms_per_request;
      return b && o.cpu_ms_per_request ? [b / o.cpu_ms_per_request] : [];
    });
    const cpuRatio = cpuRatios.length ? Math.round(median(cpuRatios) * 100) / 100 : undefined;
    const alone: Single = {
      p50: median(singleRuns.map((r) => r.p50)),
      p99: median(singleRuns.map((r) => r.p99)),
      requests: singleRuns.reduce((a, r) => a + r.requests, 0),
    };
    const fairness = {
      single: alone,
      p99_over_single: Math.round(median(oursRuns.map((o, i) => o.p99 / singleRuns[i]!.p50)) * 10) / 10,
      p99_over_p50: Math.round(median(oursRuns.map((o) => o.p99 / Math.max(1, o.p50))) * 10) / 10,
      warm_p99_over_single:
        Math.round(median(oursRuns.map((o, i) => (o.warm_p99 ?? o.p99) / singleRuns[i]!.p50)) * 10) / 10,
      queueing_floor:
        Math.round(
          median(oursRuns.map((o, i) => CONNECTIONS / Math.max(1, o.rps) / (singleRuns[i]!.p50 / 1000))) * 10,
        ) / 10,
    };
    const failed =
      ours.errors > 0 || ours.non2xx > 0 || (base !== undefined && (base.errors > 0 || base.non2xx > 0));
    const endpoint: Endpoint = {
      name: spec.name,
      status: failed ? 'failed' : 'ok',
      ...(ratio !== undefined ? { ratio } : {}),
      ...(cpuRatio !== undefined ? { cpu_ratio: cpuRatio } : {}),
      ...(note ? { note } : {}),
      ours,
      ...(base ? { baseline: base } : {}),
      ...fairness,
      runs: { ours: oursRuns, baseline: baseRuns, single: singleRuns },
    };
    return { endpoint, rssMax };
  } catch (error) {
    // A dead server or a refused connection is a failure of this endpoint: keep what was measured.
    const tail = server.exited ? `; server exited: ${server.stderr.slice(-5).join(' | ')}` : '';
    const note = `${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}${tail}`;
    log(`${dialect}: ${spec.name}: FAILED ${note}`);
    return { endpoint: { name: spec.name, status: 'failed', note }, rssMax };
  }
}

/** One dialect: a fresh seeded database, our server and the baseline on it, every endpoint measured in turn. */
async function benchDialect(dialect: Dialect): Promise<DialectResult> {
  const work = mkdtempSync(join(tmpdir(), 'crew-bench-'));
  const db = await freshDatabase(dialect, work);
  let server: Child | undefined;
  let baseline: Child | undefined;
  try {
    const { seed, targets } = await seedAndPrepare(dialect, db);
    server = await startServer(db, work);
    baseline = await startBaseline(dialect, db);
    await sleep(1500); // the server starts compiling the remaining schemas a second after listen
    await idle(server.process.pid);
    const specs = (await endpointSpecs(server, targets)).filter((spec) => selected(spec.name));

    const endpoints: Endpoint[] = [];
    const load = loadavg();
    let rssMax = 0;
    for (const spec of specs) {
      if (server.exited) break;
      const measured = await measure(dialect, spec, server, baseline);
      endpoints.push(measured.endpoint);
      rssMax = Math.max(rssMax, measured.rssMax);
    }
    return { dialect, seed, endpoints, server_rss_max_mb: rssMax, server_died: server.exited, loadavg: load };
  } finally {
    if (server && !server.exited) {
      const errors = server.stderr.filter((l) => !l.startsWith('bench-event-loop '));
      if (errors.length) log(`${dialect}: server stderr (last lines):\n${errors.slice(-10).join('\n')}`);
    }
    await stopChild(server);
    await stopChild(baseline);
    await db.drop().catch((error) => log(`could not drop the database: ${error}`));
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- main

function table(result: DialectResult): string {
  const lines = [
    `${result.dialect} — scale ${scale}, ${CONNECTIONS} connections, ${duration} s per run, median of ${repeat}, server RSS max ${result.server_rss_max_mb} MB, load ${result.loadavg.map((l) => l.toFixed(1)).join(' ')}`,
    'endpoint                  |   req/s | p50 ms | p99 ms | err | non2xx | baseline req/s | ratio | EL p99 ms | alone p50 ms | p99/alone | p99/p50 | warm p99 | warm/alone | floor | CPU ms/req | client CPU | base CPU | CPU ratio',
    '--------------------------|---------|--------|--------|-----|--------|----------------|-------|-----------|--------------|-----------|---------|----------|------------|-------|------------|------------|----------|----------',
  ];
  for (const e of result.endpoints) {
    if (!e.ours) {
      lines.push(`${e.name.padEnd(26)} | ${e.status}`);
      continue;
    }
    const o = e.ours;
    lines.push(
      [
        e.name.padEnd(26),
        String(o.rps).padStart(8),
        String(o.p50).padStart(7),
        String(o.p99).padStart(7),
        String(o.errors).padStart(4),
        String(o.non2xx).padStart(7),
        String(e.baseline?.rps ?? '—').padStart(15),
        String(e.ratio ?? '—').padStart(6),
        String(o.event_loop_p99_ms ?? '—').padStart(10),
        String(e.single?.p50 ?? '—').padStart(13),
        String(e.p99_over_single ?? '—').padStart(10),
        String(e.p99_over_p50 ?? '—').padStart(8),
        String(o.warm_p99 ?? '—').padStart(9),
        String(e.warm_p99_over_single ?? '—').padStart(11),
        String(e.queueing_floor ?? '—').padStart(6),
        String(o.cpu_ms_per_request ?? '—').padStart(11),
        String(o.client_cpu_ms_per_request ?? '—').padStart(11),
        String(e.baseline?.cpu_ms_per_request ?? '—').padStart(9),
        String(e.cpu_ratio ?? '—').padStart(9),
      ].join(' |') + (e.status === 'failed' ? '  ← FAILED' : ''),
    );
  }
  return lines.join('\n');
}

const load = loadavg();
if (!args['no-build']) {
  log('npm run build');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    log('the build reported errors (tsc still emits dist/): measuring what was emitted');
  }
}

const results: DialectResult[] = [];
let failed = false;
for (const dialect of dialects) {
  try {
    const result = await benchDialect(dialect);
    results.push(result);
    console.log(`\n${table(result)}\n`);
    if (result.server_died || result.endpoints.some((e) => e.status === 'failed')) failed = true;
  } catch (error) {
    failed = true;
    log(`${dialect}: ${(error as Error).stack ?? error}`);
  }
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(ROOT, 'bench/results', `${stamp}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model,
        node: process.version,
        loadavg_before: load,
        loadavg_after: loadavg(),
      },
      scale,
      sizes: SCALES[scale],
      duration_s: duration,
      connections: CONNECTIONS,
      repeat,
      results,
    },
    null,
    2,
  ),
);
log(`results written to ${file}`);
process.exit(failed ? 1 : 0);
