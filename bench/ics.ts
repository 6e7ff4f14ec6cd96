/**
 * `npm run bench:ics [-- --db sqlite|postgres|both --assignments 500 --requests 300]`
 *
 * The calendar feed of one crew member with N assignments (default 500, across two orgs), fetched through real
 * HTTP from a listening server, one request at a time (a calendar app polls alone): latency of a full answer of
 * an unchanged feed (200), of a poll that changed nothing (If-None-Match → 304) and of a poll after a change
 * (`new`: rows loaded and rendered). Budget (issue #11): < 20 ms. See BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { insertAccount } from '../src/modules/auth/accounts.repository.js';
import { insertSession } from '../src/modules/auth/sessions.repository.js';
import { insertOrg } from '../src/modules/orgs/orgs.repository.js';
import { DAY, HOUR, isoIn, isoNow, newId } from '../src/platform/clock.js';
import type { Database, Dialect } from '../src/platform/db/database.js';
import { freshDatabase } from './lib/fresh-database.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    assignments: { type: 'string', default: '500' },
    requests: { type: 'string', default: '300' },
    'postgres-url': {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const ASSIGNMENTS = Number(args.assignments);
const REQUESTS = Number(args.requests);
const STATUSES = ['INVITED', 'ACCEPTED', 'ACCEPTED', 'CANCELLED'] as const;

/** One account with a roster profile in two orgs and N assignments, each on its own mission, over a year. */
async function seed(database: Database): Promise<string> {
  const { db } = database;
  const now = isoNow();
  const account = await insertAccount(db, `crew-${newId()}@bench.example`, 'not-a-real-hash');
  const orgs = [
    await insertOrg(db, 'Bench A', 'Europe/Paris'),
    await insertOrg(db, 'Bench B', 'Europe/Paris'),
  ];
  for (const [i, org] of orgs.entries()) {
    const userId = newId();
    const projectId = newId();
    await db
      .insertInto('users')
      .values({
        id: userId,
        org_id: org.id,
        account_id: account.id,
        first_name: 'Bench',
        last_name: `Crew ${i}`,
        email: null,
        phone: null,
        employment_type: 'INTERMITTENT',
        notes: null,
        active: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('projects')
      .values({
        id: projectId,
        org_id: org.id,
        name: `Tour ${i}`,
        description: null,
        status: 'ACTIVE',
        starts_at: null,
        ends_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const count = i === 0 ? Math.ceil(ASSIGNMENTS / 2) : Math.floor(ASSIGNMENTS / 2);
    const missions = [];
    const roles = [];
    const assignments = [];
    for (let k = 0; k < count; k++) {
      const start = Date.now() + (k * 2 + i) * 17 * HOUR;
      const missionId = newId();
      const roleId = newId();
      missions.push({
        id: missionId,
        org_id: org.id,
        project_id: projectId,
        title: `Show ${k} — load-in & strike`,
        starts_at: new Date(start).toISOString(),
        ends_at: new Date(start + 8 * HOUR).toISOString(),
        location: 'Zénith, 211 avenue Jean Jaurès, Paris',
        notes: 'Gloves, boots, black clothes.',
        published_at: now,
        created_at: now,
        updated_at: now,
      });
      roles.push({
        id: roleId,
        org_id: org.id,
        mission_id: missionId,
        name: 'Rigger',
        quota: 4,
        skill: null,
        min_level: null,
        accepted_count: 0,
        created_at: now,
      });
      assignments.push({
        id: newId(),
        org_id: org.id,
        mission_id: missionId,
        role_id: roleId,
        user_id: userId,
        status: STATUSES[k % STATUSES.length]!,
        note: null,
        reason: null,
        invited_by: null,
        responded_at: null,
        created_at: now,
        updated_at: now,
      });
    }
    for (let k = 0; k < count; k += 100) {
      await db
        .insertInto('missions')
        .values(missions.slice(k, k + 100))
        .execute();
      await db
        .insertInto('mission_roles')
        .values(roles.slice(k, k + 100))
        .execute();
      await db
        .insertInto('assignments')
        .values(assignments.slice(k, k + 100))
        .execute();
    }
  }
  return account.id;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

/**
 * Wall times of sequential requests, and the process's CPU time per request (server and client share the
 * process): on a machine shared with other work the wall times inflate, the CPU time much less. `before` runs
 * ahead of each request, outside the timing (a change to the feed).
 */
async function timed(
  url: string,
  headers: Record<string, string>,
  expected: number,
  before?: () => Promise<void>,
): Promise<{ samples: number[]; cpuMs: number }> {
  const samples: number[] = [];
  let cpuMicros = 0;
  for (let i = 0; i < REQUESTS + 20; i++) {
    await before?.();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    if (res.status !== expected) throw new Error(`feed answered ${res.status}, expected ${expected}`);
    if (i >= 20) {
      // the first ones warm the JIT and the statement caches
      samples.push(elapsed);
      cpuMicros += cpu.user + cpu.system;
    }
  }
  return { samples, cpuMs: cpuMicros / 1000 / REQUESTS };
}

async function run(dialect: Dialect) {
  const { database, url, drop } = await freshDatabase(dialect, {
    name: 'ics',
    postgresUrl: args['postgres-url']!,
  });
  try {
    const accountId = await seed(database);
    const config = loadConfig({
      REALISONS_SECRET_KEY: randomBytes(32).toString('hex'),
      APP_ENV: 'prod',
      LOG_LEVEL: process.env.BENCH_LOG ?? 'warn',
      DATABASE_URL: url,
    });
    const app = await buildApp(config, { database });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const session = await insertSession(database.db, accountId, null, isoIn(DAY));
    const bearer = app.tokens.sign({ sub: accountId, org: null, sid: session.id }).token;
    const created = await fetch(`${base}/api/v1/me/calendar-feed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
    });
    const { url: feedUrl } = (await created.json()) as { url: string };
    const path = new URL(feedUrl).pathname;
    const first = await fetch(`${base}${path}`);
    const body = await first.text();
    const events = body.split('BEGIN:VEVENT').length - 1;
    const etag = first.headers.get('etag')!;
    const fullRun = await timed(`${base}${path}`, {}, 200);
    const notModifiedRun = await timed(`${base}${path}`, { 'if-none-match': etag }, 304);
    // A feed that changed since the last poll: one assignment restamped before each request, so every answer
    // loads the 500 rows and renders (the 200 above repeats an unchanged feed: its document is kept).
    const one = await database.db
      .selectFrom('assignments')
      .select('id')
      .where('status', '=', 'ACCEPTED')
      .executeTakeFirstOrThrow();
    let stamp = Date.now();
    const changedRun = await timed(`${base}${path}`, { 'if-none-match': etag }, 200, async () => {
      stamp += 1000;
      await database.db
        .updateTable('assignments')
        .set({ updated_at: new Date(stamp).toISOString() })
        .where('id', '=', one.id)
        .execute();
    });
    const full = { ...summary(fullRun.samples), cpu: fullRun.cpuMs };
    const notModified = { ...summary(notModifiedRun.samples), cpu: notModifiedRun.cpuMs };
    const changed = { ...summary(changedRun.samples), cpu: changedRun.cpuMs };
    await app.close();
    return { dialect, events, bytes: Buffer.byteLength(body), full, notModified, changed };
  } finally {
    await drop();
  }
}

const dialects: Dialect[] = args.db === 'both' ? ['sqlite', 'postgres'] : [args.db as Dialect];
const fmt = (n: number) => n.toFixed(2).padStart(7);
console.log(`ICS feed, ${ASSIGNMENTS} assignments, ${REQUESTS} sequential requests per case (ms)`);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
console.log('dialect   events  bytes    case   p50     p95     p99     mean    cpu/req');
let over = false;
for (const dialect of dialects) {
  const r = await run(dialect);
  for (const [name, s] of [
    ['200', r.full],
    ['304', r.notModified],
    ['new', r.changed],
  ] as const) {
    console.log(
      `${r.dialect.padEnd(9)} ${String(r.events).padStart(6)} ${String(r.bytes).padStart(7)}  ${name}  ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)} ${fmt(s.mean)} ${fmt(s.cpu)}`,
    );
    if (s.p50 >= 20) over = true;
  }
}
if (over) {
  console.log('over budget: p50 ≥ 20 ms');
  process.exitCode = 1;
}
