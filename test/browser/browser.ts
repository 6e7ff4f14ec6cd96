import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Dialect } from '../../src/platform/db/database.js';
import { testConfig } from '../helpers/app.js';
import { migratedDatabase, type TestDatabase } from '../helpers/database.js';

/** Debian's chromium, never a downloaded browser; flags that keep it offline and quiet. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** A phone (iPhone 12-14 class): the pages are made for it. */
export const PHONE = { width: 390, height: 844 };
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export interface BrowserServer {
  app: FastifyInstance;
  db: TestDatabase;
  baseUrl: string;
  browser: Browser;
}

/** A free local port: PUBLIC_BASE_URL must name the real origin, so the form origin check sees what it expects. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One real server (listening on 127.0.0.1) and one browser per test file and dialect. */
export function useBrowserServer(
  dialect: Dialect,
  env: () => Record<string, string> = () => ({}),
): BrowserServer {
  const ctx = {} as BrowserServer;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ctx.db = await migratedDatabase(dialect);
    const url =
      ctx.db.config.dialect === 'sqlite'
        ? `sqlite:///${ctx.db.config.filename}`
        : ctx.db.config.connectionString;
    const port = await freePort();
    ctx.baseUrl = `http://127.0.0.1:${port}`;
    const config = testConfig({ DATABASE_URL: url, APP_ENV: 'dev', PUBLIC_BASE_URL: ctx.baseUrl, ...env() });
    ctx.app = await buildApp(config, { database: ctx.db.database });
    await ctx.app.listen({ host: '127.0.0.1', port });
    ctx.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.app?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

export interface Phone {
  context: BrowserContext;
  page: Page;
  /** console errors and CSP violations the page reported: a strict CSP must not block its own assets */
  problems: string[];
  shot(name: string): Promise<void>;
}

/** A fresh phone-sized tab that speaks `locale`, JavaScript off: the pages must work without it. */
export async function openPhone(server: BrowserServer, dialect: Dialect, locale = 'fr-FR'): Promise<Phone> {
  const context = await server.browser.newContext({ viewport: PHONE, locale, javaScriptEnabled: false });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  return {
    context,
    page,
    problems,
    shot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${dialect}.png`), fullPage: true });
    },
  };
}
