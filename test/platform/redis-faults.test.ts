import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { testConfig } from '../helpers/app.js';
import { migratedDatabase, type TestDatabase } from '../helpers/database.js';
import { uniqueEmail } from '../helpers/factories.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';

const redisReachable = await redisAnswers();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on: Redis "down". */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An app whose log lines the test can read. */
async function appWithLog(config: Config, test: TestDatabase) {
  const lines: { level: number; msg: string }[] = [];
  const app = await buildApp(config, {
    database: test.database,
    logStream: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { app, warnings: () => lines.filter((l) => l.level === 40 && /Redis/.test(l.msg)), lines };
}

const login = (app: FastifyInstance, email: string, ip = '198.51.100.20') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: 'wrong-password-1' },
    remoteAddress: ip,
  });

describe('Redis faults', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database() {
    const test = await migratedDatabase('sqlite');
    cleanups.push(() => test.drop());
    return test;
  }

  it('Redis down: login is still rate limited, in memory, fast, never 500, one warning', async () => {
    const test = await database();
    const config = testConfig({
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      AUTH_RATE_LIMIT_PER_EMAIL: '3',
      LOG_LEVEL: 'info',
    });
    const { app, warnings } = await appWithLog(config, test);
    cleanups.push(() => app.close());
    const email = uniqueEmail();
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 5; i++) statuses.push((await login(app, email)).statusCode);
    // Never fail open, never 500: the fourth attempt is refused by this instance's own counters.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(Date.now() - started).toBeLessThan(2000);
    const refused = await login(app, email);
    expect(refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    // ioredis retries in the background and fails each time: still one warning for the whole outage.
    await sleep(2500);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toBe('Redis unreachable: rate limits count per instance until it returns');
  }, 15_000);

  it.runIf(redisReachable)(
    'Redis cut then back: local counting meanwhile, one warning, shared counting resumes',
    async () => {
      const test = await database();
      const target = new URL(REDIS_URL);
      const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
      cleanups.push(() => proxy.close());
      const config = testConfig({
        REDIS_URL: proxy.via(REDIS_URL),
        AUTH_RATE_LIMIT_PER_EMAIL: '4',
        LOG_LEVEL: 'info',
      });
      const one = await appWithLog(config, test);
      const two = await appWithLog(config, test);
      cleanups.push(async () => {
        await one.app.close();
        await two.app.close();
      });
      const untilShared = async () => {
        for (let i = 0; i < 50 && !(one.app.redisLink!.usable() && two.app.redisLink!.usable()); i++)
          await sleep(100);
      };
      /** Six attempts on one account alternating between the instances. */
      const alternate = async (email: string) => {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++)
          statuses.push((await login(i % 2 === 0 ? one.app : two.app, email)).statusCode);
        return statuses;
      };
      await untilShared();
      expect(await alternate(uniqueEmail())).toEqual([401, 401, 401, 401, 429, 429]);

      proxy.cut();
      await sleep(300);
      // Each instance counts alone: 3 attempts each pass, the budget of 4 is never exceeded on either.
      const during = await alternate(uniqueEmail());
      expect(during).toEqual([401, 401, 401, 401, 401, 401]);
      const email = uniqueEmail();
      const local: number[] = [];
      for (let i = 0; i < 5; i++) local.push((await login(one.app, email)).statusCode);
      expect(local).toEqual([401, 401, 401, 401, 429]);
      await sleep(1500);
      expect(one.warnings()).toHaveLength(1);
      expect(two.warnings()).toHaveLength(1);

      proxy.restore();
      await untilShared();
      expect(await alternate(uniqueEmail())).toEqual([401, 401, 401, 401, 429, 429]);
      expect(one.lines.some((l) => l.msg.startsWith('Redis reachable again'))).toBe(true);
    },
    20_000,
  );

  it.runIf(redisReachable)(
    'a frozen Redis (connected, never answering) costs one command timeout, then counts locally',
    async () => {
      const test = await database();
      const target = new URL(REDIS_URL);
      const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
      cleanups.push(() => proxy.close());
      const config = testConfig({
        REDIS_URL: proxy.via(REDIS_URL),
        AUTH_RATE_LIMIT_PER_EMAIL: '4',
        LOG_LEVEL: 'info',
      });
      const { app, warnings } = await appWithLog(config, test);
      cleanups.push(() => app.close());
      expect(app.redisLink!.usable()).toBe(true);
      proxy.freeze();
      const email = uniqueEmail();
      const timings: number[] = [];
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        statuses.push((await login(app, email)).statusCode);
        timings.push(Date.now() - started);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      // The first attempt waits for Redis's 500 ms command timeout; the next ones skip Redis altogether.
      // (Tried each time, four attempts would take at least 4 × 500 ms.)
      expect(timings.slice(1).reduce((a, b) => a + b, 0)).toBeLessThan(1600);
      expect(timings[0]).toBeLessThan(1500);
      expect(warnings()).toHaveLength(1);
      proxy.restore();
    },
    15_000,
  );
});
