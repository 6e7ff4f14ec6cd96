/**
 * `npm run bench:startup`: how long a cold start takes, as an operator meets it.
 *
 *   - the server: `node dist/server.js` spawned → its first 200 on /healthz (polled every 5 ms), on a migrated
 *     SQLite file and, with `--db both`, on PostgreSQL;
 *   - the CLI: each `crew` command, `node dist/cli.js …` spawned → exit, and `npm run crew` once for the npm
 *     overhead on top.
 *
 * Wall time and the child's own CPU time (user + sys from /proc, read at the first /healthz or at exit) are both
 * recorded: on a machine shared with other work the wall time swings with the load, the CPU time much less.
 * Median and min of `--repeat` runs (default 5). Results go to bench/results/startup-<time>.json.
 *
 *   npm run bench:startup [-- --repeat 5] [--db sqlite|postgres|both] [--server path/to/server.js]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    db: { type: 'string', default: 'sqlite' },
    server: { type: 'string' },
    cli: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const repeat = Math.max(1, Number(args.repeat));
const serverPath = resolve(args.server ?? join(ROOT, 'dist/server.js'));
const cliPath = resolve(args.cli ?? join(ROOT, 'dist/cli.js'));
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

interface Timing {
  wall_ms: number;
  cpu_ms: number | null;
}

/** utime + stime of a live process, in ms; null off Linux. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serverStart(databaseUrl: string, port: number): Promise<Timing> {
  const started = performance.now();
  const child = spawn(process.execPath, [serverPath], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      APP_ENV: 'prod',
      REALISONS_SECRET_KEY: randomBytes(48).toString('base64'),
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      OUTBOX_DIR: join(tmpdir(), 'crew-startup-outbox'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before /healthz`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) {
          const timing = { wall_ms: Math.round(performance.now() - started), cpu_ms: cpuMs(child.pid) };
          return timing;
        }
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 30_000) throw new Error('no /healthz within 30 s');
      await sleep(5);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Runs a command to its exit; CPU from /proc is sampled every 5 ms, so the last sample before exit counts. */
async function commandRun(command: string, argv: string[], env: Record<string, string>): Promise<Timing> {
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let cpu: number | null = null;
  const sampler = setInterval(() => (cpu = cpuMs(child.pid) ?? cpu), 5);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}: ${stderr.trim()}`);
  return { wall_ms: Math.round(performance.now() - started), cpu_ms: cpu };
}

function summary(runs: Timing[]) {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const cpus = runs.map((r) => r.cpu_ms).filter((c): c is number => c !== null);
  return {
    wall_median_ms: med(runs.map((r) => r.wall_ms)),
    wall_min_ms: Math.min(...runs.map((r) => r.wall_ms)),
    cpu_median_ms: cpus.length ? med(cpus) : null,
    runs,
  };
}

async function postgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `crew_startup_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const load = loadavg();
if (!args['no-build'] && !args.server) {
  spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
const work = mkdtempSync(join(tmpdir(), 'crew-startup-'));
const dialects = args.db === 'both' ? ['sqlite', 'postgres'] : [args.db ?? 'sqlite'];
const results: Record<string, unknown> = {};
let port = 19_100 + Math.floor(Math.random() * 500);
try {
  for (const dialect of dialects) {
    const pgDb = dialect === 'postgres' ? await postgresDatabase() : null;
    const url = pgDb?.url ?? `sqlite:///${join(work, 'startup.db')}`;
    try {
      const env = { DATABASE_URL: url };
      await commandRun(process.execPath, [cliPath, 'db', 'upgrade'], env);
      const server: Timing[] = [];
      for (let i = 0; i < repeat; i++) server.push(await serverStart(url, port++));
      const cli: Record<string, ReturnType<typeof summary>> = {};
      const commands: [string, () => string[]][] = [
        ['--help', () => ['--help']],
        ['db current', () => ['db', 'current']],
        ['db check', () => ['db', 'check']],
        ['db upgrade', () => ['db', 'upgrade']],
        [
          'org create',
          () => [
            'org',
            'create',
            '--name',
            `Startup ${randomBytes(4).toString('hex')}`,
            '--owner-email',
            `owner-${randomBytes(4).toString('hex')}@example.com`,
            '--owner-password',
            'Correct-Horse-Battery-9',
          ],
        ],
      ];
      for (const [name, argv] of commands) {
        const runs: Timing[] = [];
        for (let i = 0; i < repeat; i++)
          runs.push(await commandRun(process.execPath, [cliPath, ...argv()], env));
        cli[name] = summary(runs);
      }
      const npmRuns: Timing[] = [];
      for (let i = 0; i < Math.min(repeat, 3); i++) {
        npmRuns.push(await commandRun('npm', ['run', '--silent', 'crew', '--', 'db', 'current'], env));
      }
      cli['npm run crew -- db current'] = summary(npmRuns);
      results[dialect] = { server_to_first_healthz: summary(server), cli };
    } finally {
      await pgDb?.drop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const report = {
  at: new Date().toISOString(),
  node: process.version,
  server: serverPath,
  cli: cliPath,
  repeat,
  load_average_before: load.map((l) => Math.round(l * 100) / 100),
  load_average_after: loadavg().map((l) => Math.round(l * 100) / 100),
  results,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `startup-${report.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

for (const [dialect, r] of Object.entries(results) as [
  string,
  { server_to_first_healthz: ReturnType<typeof summary>; cli: Record<string, ReturnType<typeof summary>> },
][]) {
  console.log(
    `\n${dialect} (load ${report.load_average_before.join(' ')} → ${report.load_average_after.join(' ')})`,
  );
  console.log('| what | wall median ms | wall min ms | CPU median ms |');
  console.log('|---|---:|---:|---:|');
  const row = (name: string, s: ReturnType<typeof summary>) =>
    console.log(`| ${name} | ${s.wall_median_ms} | ${s.wall_min_ms} | ${s.cpu_median_ms ?? '—'} |`);
  row('server → first /healthz', r.server_to_first_healthz);
  for (const [name, s] of Object.entries(r.cli))
    row(`crew ${name.replace(/^npm run crew -- /, '(npm run) ')}`, s);
}
console.log(`\nwritten ${file}`);
