import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '../../src/config.js';
import { HEAD, MIGRATION_NAMES } from '../../src/platform/db/migrator.js';
import { crewInProcess as crew } from '../helpers/cli.js';
import { DIALECTS, emptyDatabase, type TestDatabase } from '../helpers/database.js';
import { PASSWORD, uniqueEmail } from '../helpers/factories.js';
import { startSmtpSink } from '../helpers/smtp.js';

const run = promisify(execFile);
/**
 * The real processes run the compiled entries, as `npm start` and `npm run crew` do: a TypeScript loader would
 * transpile the whole app at each start, seconds apiece on a busy 2-core machine. They still get room.
 */
const PROCESS_TIMEOUT = 60_000;
const CLI = 'dist/cli.js';
const SERVER = 'dist/server.js';

/** Builds dist/ when a source changed since the last build (esbuild: a second or two), as `npm run crew` does. */
function compiledEntries() {
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build.mjs', '--if-stale']);
  }, PROCESS_TIMEOUT);
}

describe.each(DIALECTS)('the crew db CLI on %s', (dialect) => {
  let test: TestDatabase;
  afterAll(() => test?.drop());

  it('upgrades, reports, checks and downgrades the database given by the environment', async () => {
    test = await emptyDatabase(dialect);
    await test.database.close();
    const url =
      test.config.dialect === 'sqlite'
        ? `sqlite:///${test.config.filename}`
        : test.config.connectionString.replace('postgresql://', 'postgresql+psycopg://');
    const env = { DATABASE_URL: url };

    expect(await crew(['db', 'current'], env)).toMatchObject({
      code: 0,
      stdout: 'base (no migration applied)\n',
    });
    expect(await crew(['db', 'check'], env)).toMatchObject({ code: 1 });
    expect(await crew(['db', 'upgrade'], env)).toMatchObject({
      code: 0,
      stdout: MIGRATION_NAMES.map((name) => `applied ${name}\n`).join(''),
    });
    expect(await crew(['db', 'current'], env)).toMatchObject({
      code: 0,
      stdout: `${HEAD} (head)\n`,
    });
    expect(await crew(['db', 'check'], env)).toMatchObject({ code: 0, stdout: 'schema matches the code\n' });
    expect(await crew(['db', 'downgrade', 'base'], env)).toMatchObject({
      code: 0,
      stdout: [...MIGRATION_NAMES]
        .reverse()
        .map((name) => `reverted ${name}\n`)
        .join(''),
    });
    expect(await crew(['db', 'downgrade'], env)).toMatchObject({ code: 2 });
    expect(await crew(['db', 'frobnicate'], env)).toMatchObject({ code: 2 });
  });
});

describe('the crew command line', () => {
  it('prints its usage: exit 0 when asked for, 2 for an unknown command', async () => {
    expect(await crew(['--help'], {})).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('crew db upgrade'),
    });
    expect(await crew(['frobnicate'], {})).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('crew db upgrade'),
    });
  });
});

describe('the crew entry, as a real process', () => {
  compiledEntries();
  const filename = join(tmpdir(), `crew-cli-${process.pid}.db`);
  afterAll(() => ['', '-wal', '-shm'].forEach((suffix) => rmSync(filename + suffix, { force: true })));

  it(
    'runs the command line it is given (compiled entry, .env, entry guard)',
    { timeout: PROCESS_TIMEOUT },
    async () => {
      const env = { PATH: process.env.PATH, DATABASE_URL: `sqlite:///${filename}` };
      const current = await run(process.execPath, [CLI, 'db', 'current'], { env });
      expect(current).toMatchObject({ stdout: 'base (no migration applied)\n', stderr: '' });
    },
  );
});

describe('the server entry', () => {
  compiledEntries();
  const filename = join(tmpdir(), `crew-server-${process.pid}.db`);
  afterAll(() => ['', '-wal', '-shm'].forEach((suffix) => rmSync(filename + suffix, { force: true })));

  it(
    'refuses to start with the placeholder secret, naming the variable',
    { timeout: PROCESS_TIMEOUT },
    async () => {
      const result = await run(process.execPath, [SERVER], {
        env: {
          PATH: process.env.PATH,
          REALISONS_SECRET_KEY: SECRET_PLACEHOLDER,
          DATABASE_URL: `sqlite:///${filename}`,
        },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('REALISONS_SECRET_KEY') });
    },
  );

  it('serves, then drains and exits 0 on SIGTERM', { timeout: PROCESS_TIMEOUT }, async () => {
    // a migrated database, so that /healthz has nothing to complain about
    expect(await crew(['db', 'upgrade'], { DATABASE_URL: `sqlite:///${filename}` })).toMatchObject({
      code: 0,
    });
    const child = spawn(process.execPath, [SERVER], {
      env: {
        PATH: process.env.PATH,
        REALISONS_SECRET_KEY: 'x'.repeat(40),
        DATABASE_URL: `sqlite:///${filename}`,
        PORT: '0',
        LOG_LEVEL: 'info',
      },
    });
    const address = await listeningAddress(child);
    const res = await fetch(`${address}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it(
    'sends mail from its SMTP worker thread (the thread’s file is part of the build)',
    { timeout: PROCESS_TIMEOUT },
    async () => {
      const database = join(tmpdir(), `crew-mail-${process.pid}.db`);
      const smtp = await startSmtpSink();
      const env = { DATABASE_URL: `sqlite:///${database}` };
      try {
        expect(await crew(['db', 'upgrade'], env)).toMatchObject({ code: 0 });
        const email = uniqueEmail('compiled');
        const org = ['org', 'create', '--name', 'Compiled', '--owner-email', email];
        expect(await crew([...org, '--owner-password', PASSWORD], env)).toMatchObject({ code: 0 });
        const child = spawn(process.execPath, [SERVER], {
          env: {
            PATH: process.env.PATH,
            ...env,
            REALISONS_SECRET_KEY: 'x'.repeat(40),
            PORT: '0',
            LOG_LEVEL: 'info',
            APP_ENV: 'prod',
            SMTP_URL: smtp.url,
            PUBLIC_BASE_URL: 'https://crew.example.com',
          },
        });
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
        try {
          const address = await listeningAddress(child);
          const res = await fetch(`${address}/api/v1/auth/reset/request`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email }),
          });
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ status: 'ok' });
          // The dispatcher's next round (every second) plans the event and hands the mail to the worker thread.
          const [mail] = await smtp.waitForMails(email, 1, 15_000);
          expect(mail!.text).toContain('https://crew.example.com/reset-password?token=');
          expect(mail!.messageId).toMatch(/^<.+@.+>$/);
        } finally {
          child.kill('SIGTERM');
          expect(await exited).toBe(0);
        }
      } finally {
        await smtp.close();
        ['', '-wal', '-shm'].forEach((suffix) => rmSync(database + suffix, { force: true }));
      }
    },
  );
});

/** The address the server prints once it listens. */
function listeningAddress(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}
