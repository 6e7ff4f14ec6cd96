import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createAccount, createOrgFixture, PASSWORD } from '../helpers/factories.js';
import { staffingKit } from '../modules/assignments/fixtures.js';

/** A problem document with our headers: what every error must look like, whoever raised it. */
function expectOurProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  const body = res.json();
  expect(body).toMatchObject({ status, code, type: `urn:coulisses-crew:problem:${code}` });
  expect(body.request_id).toBe(res.headers['x-request-id']);
  return body as { detail: string; errors?: { path: string; message: string }[] };
}

describe.each(DIALECTS)('framework errors and HTTP hygiene on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  const projects = (orgId: string) => `/api/v1/orgs/${orgId}/projects`;

  it('malformed JSON is 400 malformed_json saying what was wrong; prototype poisoning too', async () => {
    const org = await createOrgFixture(ctx.app);
    const headers = { ...org.manager.headers, 'content-type': 'application/json' };
    const broken = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers,
      payload: '{"name":',
    });
    expect(expectOurProblem(broken, 400, 'malformed_json').detail).toMatch(/^The body is not valid JSON: .+/);
    const poisoned = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers,
      payload: '{"name":"x","__proto__":{"admin":true}}',
    });
    expect(expectOurProblem(poisoned, 400, 'malformed_json').detail).toMatch(/__proto__/);
  });

  it('a wrong content type is 415 naming what to send', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers: { ...org.manager.headers, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(expectOurProblem(res, 415, 'unsupported_media_type').detail).toBe(
      'Content type "text/plain" is not accepted: send it as application/json',
    );
  });

  it('an enum violation lists the allowed values; a nullable field gives one message', async () => {
    const org = await createOrgFixture(ctx.app);
    const project = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers: org.manager.headers,
      payload: { name: 'Enum' },
    });
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `${projects(org.orgId)}/${project.json().id}`,
      headers: org.manager.headers,
      payload: { status: 'CLOSED', description: 5, starts_at: 'soon' },
    });
    const body = expectOurProblem(res, 400, 'validation_failed');
    expect(body.errors).toHaveLength(3);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { location: 'body', path: '/status', message: 'must be one of "DRAFT", "ACTIVE", "ARCHIVED"' },
        { location: 'body', path: '/description', message: 'must be string, or null' },
        {
          location: 'body',
          path: '/starts_at',
          message: expect.stringMatching(/^must be an existing RFC 3339 date-time.*, or null$/),
        },
      ]),
    );
  });

  it('a body-less action sent as application/json with an empty body is accepted', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const mission = await kit.mission(8, 12);
    const user = await kit.user();
    const invited = await kit.invite(org.manager.headers, mission.missionId, {
      user_id: user,
      role_id: mission.roleId,
    });
    const accept = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/assignments/${invited.json().id}/accept`,
      headers: { ...org.manager.headers, 'content-type': 'application/json' },
      payload: '',
    });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toMatchObject({ status: 'ACCEPTED' });
    // a route that needs a body still says so
    const empty = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers: { ...org.manager.headers, 'content-type': 'application/json' },
      payload: '',
    });
    expectOurProblem(empty, 400, 'validation_failed');
  });

  it('a path parameter over 100 characters is 414, an oversized body 413, in our format', async () => {
    const org = await createOrgFixture(ctx.app);
    const long = await ctx.app.inject({
      method: 'GET',
      url: `${projects(org.orgId)}/${'a'.repeat(101)}`,
      headers: org.manager.headers,
    });
    expect(expectOurProblem(long, 414, 'uri_too_long').detail).toMatch(/100 characters/);
    const huge = await ctx.app.inject({
      method: 'POST',
      url: projects(org.orgId),
      headers: { ...org.manager.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', description: 'y'.repeat(1_100_000) }),
    });
    expect(expectOurProblem(huge, 413, 'payload_too_large').detail).toMatch(/1048576 bytes/);
  });

  it('an unknown route is 404; a known path with another method is 405 with Allow', async () => {
    const org = await createOrgFixture(ctx.app);
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(expectOurProblem(missing, 404, 'not_found').detail).toBe('No route for GET /api/v1/nothing-here');
    const wrong = await ctx.app.inject({
      method: 'PUT',
      url: projects(org.orgId),
      headers: org.manager.headers,
    });
    expect(expectOurProblem(wrong, 405, 'method_not_allowed').detail).toBe(
      `PUT is not allowed on ${projects(org.orgId)}: use GET, HEAD, POST`,
    );
    expect(wrong.headers.allow).toBe('GET, HEAD, POST');
  });

  it('Cache-Control: no-store on tokens, authenticated answers and health; the API description is cacheable', async () => {
    const account = await createAccount(ctx.app);
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: account.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().access_token).toEqual(expect.any(String));
    expect(login.headers['cache-control']).toBe('no-store');
    const org = await createOrgFixture(ctx.app);
    const list = await ctx.app.inject({ method: 'GET', url: projects(org.orgId), headers: org.tech.headers });
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['cache-control']).toBe('no-store');
    const spec = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.headers['cache-control']).toBeUndefined();
  });

  it('the assignments of another org’s mission answer 404, like a missing mission', async () => {
    const org = await createOrgFixture(ctx.app);
    const other = await createOrgFixture(ctx.app);
    const theirs = await staffingKit(ctx.app, other).mission(8, 12);
    const mine = await staffingKit(ctx.app, org).mission(8, 12);
    const url = (id: string) => `/api/v1/orgs/${org.orgId}/missions/${id}/assignments`;
    const foreign = await ctx.app.inject({
      method: 'GET',
      url: url(theirs.missionId),
      headers: org.manager.headers,
    });
    expect(expectOurProblem(foreign, 404, 'not_found').detail).toBe('Mission not found');
    const unknown = await ctx.app.inject({
      method: 'GET',
      url: url(crypto.randomUUID()),
      headers: org.manager.headers,
    });
    expect(unknown.json()).toEqual({ ...foreign.json(), request_id: unknown.json().request_id });
    const own = await ctx.app.inject({
      method: 'GET',
      url: url(mine.missionId),
      headers: org.manager.headers,
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual({ items: [], next_cursor: null });
  });
});

describe('connection errors Node answers before any request exists', () => {
  it('headers too large are 431 problem+json with our headers', async () => {
    const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite:///:memory:' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path: '/healthz', headers: { 'x-big': 'x'.repeat(20_000) } },
            (response) => {
              let body = '';
              response.on('data', (chunk: Buffer) => (body += chunk.toString()));
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({
        status: 431,
        code: 'headers_too_large',
        request_id: res.headers['x-request-id'],
      });
    } finally {
      await app.close();
    }
  });
});
