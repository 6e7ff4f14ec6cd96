/**
 * `npm run bench:events [-- --db sqlite|postgres --streams 1000 --changes 20 --webhooks 1000]`
 *
 * 1. `--streams` concurrent SSE streams on one instance (real HTTP; the clients run in a worker thread): memory
 *    per stream (main-thread heap growth: the server side; RSS growth includes the clients' sockets), and the
 *    time from sending a change (PATCH) to its event arriving on every stream: p50/p99 over streams × changes (target p99 < 100 ms).
 * 2. Webhook delivery throughput: `--webhooks` events delivered, signed, to a local receiver.
 * See BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { insertAccount } from '../src/modules/auth/accounts.repository.js';
import { insertSession } from '../src/modules/auth/sessions.repository.js';
import { insertMembership, insertOrg } from '../src/modules/orgs/orgs.repository.js';
import { createWebhookDispatcher } from '../src/modules/webhooks/dispatcher.js';
import { trustedOrgId } from '../src/platform/auth/org-scope.js';
import { DAY, isoIn, isoNow, newId } from '../src/platform/clock.js';
import type { Dialect } from '../src/platform/db/database.js';
import { freshDatabase } from './lib/fresh-database.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    streams: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '20' },
    webhooks: { type: 'string', default: '1000' },
    'postgres-url': {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const dialect = args.db as Dialect;
const STREAMS = Number(args.streams);
const CHANGES = Number(args.changes);
const WEBHOOKS = Number(args.webhooks);
const log = (message: string) => console.error(`[bench:events] ${message}`);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function main() {
  const fresh = await freshDatabase(dialect, {
    name: 'events',
    postgresUrl: args['postgres-url']!,
    poolSize: 10,
  });
  const config = loadConfig({
    REALISONS_SECRET_KEY: randomBytes(32).toString('hex'),
    APP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: fresh.url,
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const app = await buildApp(config, { database: fresh.database });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const { db } = fresh.database;
  const org = await insertOrg(db, 'Bench events', 'Europe/Paris');
  const orgId = trustedOrgId(org.id);
  const admin = await insertAccount(db, `admin-${newId().slice(0, 8)}@bench.test`, 'x');
  await insertMembership(db, orgId, admin.id, 'admin');
  const session = await insertSession(db, admin.id, org.id, isoIn(DAY));
  const token = app.tokens.sign({ sub: admin.id, org: org.id, sid: session.id }).token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const now = isoNow();
  const projectId = newId();
  const missionId = newId();
  await db
    .insertInto('projects')
    .values({
      id: projectId,
      org_id: org.id,
      name: 'P',
      description: null,
      status: 'ACTIVE',
      starts_at: null,
      ends_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('missions')
    .values({
      id: missionId,
      org_id: org.id,
      project_id: projectId,
      title: 'M',
      starts_at: '2031-03-03T10:00:00.000Z',
      ends_at: '2031-03-03T14:00:00.000Z',
      location: 'Lyon',
      notes: null,
      published_at: now,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const patch = (title: string) =>
    app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.id}/missions/${missionId}`,
      headers,
      payload: { title },
    });

  // Warm-up: the route's schemas compile on first use.
  await patch('Warm-up');

  // 1. Streams.
  global.gc?.();
  const before = process.memoryUsage();
  const worker = new Worker(new URL('./events-clients.mjs', import.meta.url), {
    workerData: {
      url: `${base}/api/v1/orgs/${org.id}/events`,
      authorization: headers.authorization,
      streams: STREAMS,
    },
  });
  const messages: ((m: { open?: number; title?: string; times?: number[]; error?: string }) => void)[] = [];
  worker.on('message', (m) => messages.forEach((f) => f(m)));
  await new Promise<void>((resolve, reject) =>
    messages.push((m) => (m.open ? resolve() : m.error ? reject(new Error(m.error)) : undefined)),
  );
  await new Promise((r) => setTimeout(r, 500));
  global.gc?.();
  const after = process.memoryUsage();
  log(`${app.liveEvents.size} streams open`);
  const latencies: number[] = [];
  for (let c = 0; c < CHANGES; c += 1) {
    const title = `Bench ${c}`;
    const started = performance.timeOrigin + performance.now();
    await new Promise<void>((resolve) => {
      messages.push((m) => {
        if (m.title !== title) return;
        for (const t of m.times!) latencies.push(t - started);
        clearTimeout(timer);
        resolve();
      });
      void patch(title).then((res) => {
        if (res.statusCode !== 200) throw new Error(`PATCH answered ${res.statusCode}: ${res.body}`);
      });
      const timer = setTimeout(() => {
        log(`${title}: not on every stream within 10 s (${app.liveEvents.size} streams open)`);
        resolve();
      }, 10_000).unref();
    });
  }
  await worker.terminate();
  latencies.sort((a, b) => a - b);
  const perStreamKb = (field: 'rss' | 'heapUsed') =>
    ((after[field] - before[field]) / STREAMS / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      dialect,
      streams: STREAMS,
      changes: CHANGES,
      rss_per_stream_kb: perStreamKb('rss'),
      heap_per_stream_kb: perStreamKb('heapUsed'),
      delivery_ms: {
        p50: pct(latencies, 50).toFixed(1),
        p99: pct(latencies, 99).toFixed(1),
        max: latencies.at(-1)!.toFixed(1),
      },
    }),
  );
  await app.liveEvents.stop();

  // 2. Webhooks.
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const created = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.id}/webhooks`,
    headers,
    payload: { url: hookUrl, event_types: ['*'] },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  const dispatcher = createWebhookDispatcher(
    { db, config, log: app.log },
    { batchSize: 100, concurrency: 16 },
  );
  await dispatcher.tick(); // plans (and sends) the stream part's events
  const already = received;
  for (let i = 0; i < WEBHOOKS; i += 1) await patch(`Hook ${i}`);
  const started = performance.now();
  let sent = 0;
  while (sent < WEBHOOKS) sent += (await dispatcher.tick()).sent;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      dialect,
      webhook_deliveries: received - already,
      seconds: seconds.toFixed(2),
      per_second: ((received - already) / seconds).toFixed(0),
    }),
  );
  receiver.close();
  await app.close();
  await fresh.drop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
