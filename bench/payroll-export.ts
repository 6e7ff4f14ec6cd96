/**
 * `npx tsx bench/payroll-export.ts [--scale M|L] [--db sqlite|postgres] [--file /tmp/x.db] [--runs 3]`
 *
 * The monthly payroll CSV of a large org, streamed: seeds the demo dataset (`crew seed demo`, seed 42) at the
 * scale, approves a timesheet for every ACCEPTED assignment of its busiest month, binds an hourly rate with
 * premiums to every role name, then downloads `GET …/pay/exports/monthly.csv` through HTTP (in-process server)
 * and reports the time to the last byte, the rows, and the process RSS growth during the download (sampled
 * every 10 ms). `--file` keeps (or reuses) a seeded SQLite file. See BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { seedDemo, DEMO_DOMAIN } from '../src/demo/seed.js';
import { insertSession } from '../src/modules/auth/sessions.repository.js';
import { DAY, isoIn, isoNow, newId } from '../src/platform/clock.js';
import { createDatabase, type Dialect } from '../src/platform/db/database.js';
import { upgrade } from '../src/platform/db/migrator.js';

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
    runs: { type: 'string', default: '3' },
    'postgres-url': {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const scale = args.scale as keyof typeof SCALES;
const dialect = args.db as Dialect;
const log = (m: string) => console.error(`[payroll-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function database() {
  if (dialect === 'sqlite') {
    const filename = args.file ?? join(tmpdir(), `crew-payroll-${randomBytes(4).toString('hex')}.db`);
    const reuse = existsSync(filename);
    return {
      url: `sqlite:///${filename}`,
      db: createDatabase({ dialect, filename }),
      reuse,
      drop: async () => {
        if (!args.file) for (const s of ['', '-wal', '-shm']) rmSync(filename + s, { force: true });
      },
    };
  }
  const name = `crew_payroll_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: args['postgres-url'] });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(args['postgres-url']!);
  url.pathname = `/${name}`;
  const db = createDatabase({ dialect, connectionString: url.toString() }, { poolSize: 4 });
  return {
    url: url.toString(),
    db,
    reuse: false,
    drop: async () => {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function prepare(db: ReturnType<typeof createDatabase>['db']) {
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
  const already = await db
    .selectFrom('timesheets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(already.n) === 0) {
    const id = dialect === 'postgres' ? sql`gen_random_uuid()` : sql`lower(hex(randomblob(16)))`;
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
      WHERE a.org_id = ${org.id} AND a.status = 'ACCEPTED' AND m.starts_at >= ${`${month}-01`} AND m.starts_at < ${`${month}-32`}`.execute(
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

function download(url: string, token: string) {
  return new Promise<{ ms: number; bytes: number; lines: number; status: number; peakRss: number }>(
    (resolve, reject) => {
      const started = performance.now();
      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
      get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        let bytes = 0;
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (const b of chunk) if (b === 10) lines++;
        });
        res.on('end', () => {
          clearInterval(sampler);
          peakRss = Math.max(peakRss, process.memoryUsage.rss());
          resolve({ ms: performance.now() - started, bytes, lines, status: res.statusCode ?? 0, peakRss });
        });
        res.on('error', reject);
      }).on('error', reject);
    },
  );
}

const fresh = await database();
try {
  await upgrade(fresh.db.db); // a reused file may predate newer migrations (the server refuses those: 503)
  if (!fresh.reuse) {
    log(
      `${dialect}: seeding scale ${scale} (${SCALES[scale].users} people, ${SCALES[scale].missions} missions)`,
    );
    const seeded = await seedDemo(fresh.db.db, { ...SCALES[scale], months: 12, seed: 42 });
    log(`seeded ${JSON.stringify(seeded)}`);
  }
  const fx = await prepare(fresh.db.db);
  log(`month ${fx.month}, ${fx.timesheets} approved timesheets`);
  const config = loadConfig({
    REALISONS_SECRET_KEY: 'bench-secret-that-is-long-enough-0123456789',
    APP_ENV: 'prod',
    LOG_LEVEL: 'silent',
    DATABASE_URL: fresh.url,
  });
  const app = await buildApp(config, { database: fresh.db });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const session = await insertSession(fresh.db.db, fx.ownerId, fx.orgId as never, isoIn(DAY));
  const token = app.tokens.sign({ sub: fx.ownerId, org: fx.orgId, sid: session.id }).token;
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/orgs/${fx.orgId}/pay/exports/monthly.csv?month=${fx.month}&decimal=comma`;
  const results = [];
  for (let run = 0; run < Number(args.runs); run++) {
    const before = process.memoryUsage.rss();
    const r = await download(url, token);
    results.push({
      run,
      status: r.status,
      seconds: +(r.ms / 1000).toFixed(2),
      rows: r.lines - 1,
      mb: +(r.bytes / 1e6).toFixed(1),
      rss_before_mb: Math.round(before / 1e6),
      rss_growth_mb: +((r.peakRss - before) / 1e6).toFixed(1),
    });
    log(JSON.stringify(results.at(-1)));
  }
  console.log(
    JSON.stringify({
      scale,
      dialect,
      month: fx.month,
      timesheets: fx.timesheets,
      node: process.version,
      results,
    }),
  );
  await app.close();
} finally {
  await fresh.drop();
}
