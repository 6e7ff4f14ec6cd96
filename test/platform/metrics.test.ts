import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { listenForMetrics } from '../../src/platform/metrics/metrics.routes.js';
import { testConfig, useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const scrapeHeaders = { authorization: `Bearer ${TOKEN}` };

/** The value of one series (`name{labels}`) in a Prometheus text exposition, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics configuration', () => {
  it('refuses a METRICS_TOKEN shorter than 16 bytes and a METRICS_PORT that is not a port', () => {
    expect(() => testConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => testConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(testConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ token: undefined, port: 9464 });
  });
});

for (const dialect of DIALECTS) {
  describe(`metrics off on ${dialect}`, () => {
    const ctx = useTestApp(dialect);

    it('answers /metrics with 404 like any unknown path when neither token nor port is set', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ status: 404, code: 'not_found' });
      expect(ctx.app.metrics).toBeNull();
    });
  });

  describe(`metrics behind a bearer token on ${dialect}`, () => {
    const ctx = useTestApp(dialect, { METRICS_TOKEN: TOKEN, AUTH_RATE_LIMIT_PER_IP: '2' });

    it('refuses a scrape without the token or with a wrong one (401 problem)', async () => {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-0123456789abcdef' },
        { authorization: TOKEN },
      ]) {
        const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
        expect(res.body).not.toContain('crew_http_requests_total');
      }
    });

    it('counts requests by route pattern and status, never by raw URL, and times queries', async () => {
      const org = await createOrgFixture(ctx.app);
      for (let i = 0; i < 3; i++) {
        const res = await ctx.app.inject({
          method: 'GET',
          url: `/api/v1/orgs/${org.orgId}/users?limit=5`,
          headers: org.admin.headers,
        });
        expect(res.statusCode).toBe(200);
      }
      const missing = await ctx.app.inject({ method: 'GET', url: `/no-such-page/${randomUUID()}` });
      expect(missing.statusCode).toBe(404);

      const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = res.body;
      expect(
        sample(
          body,
          'crew_http_requests_total{route="/api/v1/orgs/:org_id/users",method="GET",status="200"}',
        ),
      ).toBe(3);
      expect(
        sample(
          body,
          'crew_http_request_duration_seconds_count{route="/api/v1/orgs/:org_id/users",method="GET",status="200"}',
        ),
      ).toBe(3);
      expect(sample(body, 'crew_http_requests_total{route="(unmatched)",method="GET",status="404"}')).toBe(1);
      expect(body).not.toContain(org.orgId);
      expect(body).not.toContain('no-such-page');
      expect(
        sample(body, 'crew_db_query_duration_seconds_count{kind="select",outcome="ok"}'),
      ).toBeGreaterThan(0);
      if (dialect === 'postgres') {
        expect(sample(body, 'crew_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
      } else {
        expect(body).not.toContain('crew_db_pool_connections{');
      }
      // Node's own: heap and event-loop lag (collectDefaultMetrics).
      expect(sample(body, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    });

    it('counts rate-limit refusals by route', async () => {
      const login = () =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: '203.0.113.77',
          payload: { email: 'nobody@example.com', password: 'wrong-password-123' },
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login()).statusCode);
      expect(statuses).toEqual([401, 401, 429, 429]);
      const body = (await ctx.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders })).body;
      expect(sample(body, 'crew_rate_limit_refusals_total{route="/api/v1/auth/login"}')).toBe(2);
    });

    it('reports the depth of the due notification queue and the age of its oldest item', async () => {
      const scrape = async () =>
        (await ctx.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders })).body;
      const before = await scrape();
      expect(sample(before, 'crew_notification_queue_depth')).toBe(0);
      expect(sample(before, 'crew_notification_queue_oldest_age_seconds')).toBe(0);

      const now = Date.now();
      const row = (dueMsAgo: number, state: 'queued' | 'failed' | 'sent') => ({
        id: randomUUID(),
        org_id: null,
        kind: 'invitation' as const,
        recipient_email: 'crew@example.com',
        payload: '{}',
        state,
        attempts: 0,
        due_at: new Date(now - dueMsAgo).toISOString(),
        message_id: `<${randomUUID()}@test>`,
        created_at: new Date(now - dueMsAgo).toISOString(),
        updated_at: new Date(now).toISOString(),
      });
      await ctx.app.database.db
        .insertInto('notifications')
        .values([
          row(120_000, 'queued'),
          row(30_000, 'failed'),
          row(600_000, 'sent'),
          row(-3_600_000, 'queued'),
        ])
        .execute();
      // The cached reading lives one second: wait it out.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await scrape();
      expect(sample(after, 'crew_notification_queue_depth')).toBe(2);
      const age = sample(after, 'crew_notification_queue_oldest_age_seconds') ?? 0;
      expect(age).toBeGreaterThanOrEqual(120);
      expect(age).toBeLessThan(200);
    });
  });

  describe(`metrics on a separate port on ${dialect}`, () => {
    const ctx = useTestApp(dialect, { METRICS_PORT: '0' });

    it('serves GET /metrics on its own listener only, and 404 on the main port', async () => {
      const server = await listenForMetrics(ctx.app, '127.0.0.1', 0);
      const { port } = server.address() as AddressInfo;
      const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);

      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(sample(body, 'crew_http_requests_total{route="/healthz",method="GET",status="200"}')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);

      const main = await ctx.app.inject({ method: 'GET', url: '/metrics' });
      expect(main.statusCode).toBe(404);
    });
  });
}
