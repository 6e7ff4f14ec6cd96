/**
 * One suggestions request alone, in-process, on a seeded SQLite file (issue 13, item 2): the bench's target
 * (first future published role with a skill and open slots), the manager's token, `--runs` requests one after
 * the other after two warm-ups; prints the median, min and max in ms. Also times the missions page the bench asks
 * (`from=now&to=+30d&limit=50`). Besides wall-clock figures it reports the process's CPU time per request (user +
 * system; the SQLite work runs in this thread), which a loaded machine moves less.
 *
 *   npx tsx bench/suggestions-alone.ts --file /tmp/copy-of-L.db [--runs 15]
 *
 * The file must be migrated to the code's head (`DATABASE_URL=sqlite:///<file> node dist/cli.js db upgrade`). Use a
 * copy: the requests write sessions and audit rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEMO_DOMAIN, DEMO_PASSWORD } from '../src/demo/seed.js';
import { createDatabase } from '../src/platform/db/database.js';

const { values } = parseArgs({
  options: { file: { type: 'string' }, runs: { type: 'string', default: '15' } },
});
if (!values.file) throw new Error('--file <seeded sqlite file> is required');
const runs = Number(values.runs);

const config = loadConfig({
  DATABASE_URL: `sqlite:///${values.file}`,
  REALISONS_SECRET_KEY: 'bench-secret-that-is-long-enough-for-prod-0123456789',
  APP_ENV: 'test',
  LOG_LEVEL: 'silent',
  OUTBOX_DIR: join(mkdtempSync(join(tmpdir(), 'sugg-alone-')), 'outbox'),
});
const app = await buildApp(config);
await app.ready();

const login = await app.inject({
  method: 'POST',
  url: '/api/v1/auth/login',
  payload: { email: `manager@${DEMO_DOMAIN}`, password: DEMO_PASSWORD },
});
if (login.statusCode !== 200) throw new Error(`login ${login.statusCode}: ${login.body}`);
const token = (login.json() as { access_token: string }).access_token;
const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
const orgId = (me.json() as { orgs: { org_id: string }[] }).orgs[0]!.org_id;

// The bench's target (bench/run.ts, `targets`): the first future published role with a skill and open slots.
const { db } = createDatabase(config.database);
const now = new Date().toISOString();
const role = await db
  .selectFrom('mission_roles as r')
  .innerJoin('missions as m', 'm.id', 'r.mission_id')
  .select(['m.id as mission_id', 'r.id as role_id', 'r.skill'])
  .where('r.org_id', '=', orgId)
  .where('r.skill', 'is not', null)
  .where('m.published_at', 'is not', null)
  .where('m.starts_at', '>', now)
  .whereRef('r.accepted_count', '<', 'r.quota')
  .orderBy('m.starts_at')
  .orderBy('r.id')
  .limit(1)
  .executeTakeFirstOrThrow();

async function time(
  url: string,
): Promise<{ median: number; min: number; max: number; cpu: number; body: unknown }> {
  const headers = { authorization: `Bearer ${token}` };
  let body: unknown;
  for (let i = 0; i < 2; i++) await app.inject({ url, headers });
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const res = await app.inject({ url, headers });
    ms.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
    body = res.json();
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  const median = (xs: number[]) => round(xs[Math.floor(xs.length / 2)]!);
  return { median: median(ms), min: round(ms[0]!), max: round(ms.at(-1)!), cpu: median(cpu), body };
}

const org = `/api/v1/orgs/${orgId}`;
const suggestions = await time(`${org}/missions/${role.mission_id}/roles/${role.role_id}/suggestions`);
const day = 86_400_000;
const page = await time(
  `${org}/missions?from=${now}&to=${new Date(Date.now() + 30 * day).toISOString()}&limit=50`,
);
const items = (suggestions.body as { items: { user: { id: string }; hours_this_month: number }[] }).items;
console.log(
  JSON.stringify(
    {
      file: values.file,
      role: role.role_id,
      skill: role.skill,
      // wall clock, and the process's CPU time (user + system) per request: the figure a loaded machine moves least
      suggestions_ms: {
        median: suggestions.median,
        min: suggestions.min,
        max: suggestions.max,
        cpu_median: suggestions.cpu,
      },
      missions_page_ms: { median: page.median, min: page.min, max: page.max, cpu_median: page.cpu },
      // the ranking itself, to compare two versions of the code on the same file
      ranking: items.map((i) => `${i.user.id}:${i.hours_this_month}`),
      load_average: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
    },
    null,
    1,
  ),
);
await app.close();
process.exit(0);
