import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { HEAD } from '../../src/platform/db/migrator.js';
import { DIALECTS, emptyDatabase } from '../helpers/database.js';
import { testConfig, useTestApp } from '../helpers/app.js';

describe.each(DIALECTS)('health on %s', (dialect) => {
  const ctx = useTestApp(dialect, { WEBRTC_STUN_SERVERS: 'stun:stun.example.com:3478' });

  it.each(['/healthz', '/health'])(
    'GET %s reports which settings are present, never their values',
    async (url) => {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        status: 'ok',
        database: 'ok',
        checks: { secret: true, database: true, stun: true, turn: false },
      });
      expect(res.body).not.toContain(ctx.config.secretKey);
      expect(res.body).not.toContain('stun.example.com');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    },
  );

  it('GET /readyz answers 200 at head', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', revision: HEAD });
  });

  it('GET /readyz answers 503 problem+json on an unmigrated database', async () => {
    const empty = await emptyDatabase(dialect);
    const app = await buildApp(testConfig(), { database: empty.database });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 503,
      code: 'not_ready',
      detail: expect.stringMatching(/base/),
    });
    await app.close();
    await empty.drop();
  });

  it('GET /readyz answers 503 when the database does not answer', async () => {
    const empty = await emptyDatabase(dialect);
    const app = await buildApp(testConfig(), { database: empty.database });
    await empty.drop();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'not_ready', detail: 'The database does not answer' });
    await app.close();
  });
});

describe('HTTP conventions', () => {
  const ctx = useTestApp('sqlite');
  afterAll(() => undefined);

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const spec = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Coulisses Crew API' } });
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const docs = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: 'urn:coulisses-crew:problem:not_found',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /nope',
      code: 'not_found',
      request_id: res.headers['x-request-id'],
    });
  });

  it('sends the security headers on every response, HSTS only in prod', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const problem = await ctx.app.inject({ method: 'GET', url: '/nope' });
    expect(problem.headers['x-content-type-options']).toBe('nosniff');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await ctx.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await ctx.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b<c>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
