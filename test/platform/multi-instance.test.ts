import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crewInProcess as crew } from '../helpers/cli.js';
import { DIALECTS } from '../helpers/database.js';
import { PASSWORD, uniqueEmail } from '../helpers/factories.js';
// @ts-expect-error: a plain .mjs script, typed by use
import { startStack } from '../../scripts/stack.mjs';

interface Stack {
  url: string;
  instances: { url: string; pid: number }[];
  databaseUrl: string;
  stop(): Promise<void>;
}

const redisUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port: 6379 }, () => {
    socket.end();
    resolve(true);
  });
  socket.on('error', () => resolve(false));
});

const PER_EMAIL = 3;

/**
 * The deployment of compose.yaml, without Docker (scripts/stack.mjs): two `node dist/server.js` on one PostgreSQL
 * database and one Redis, behind a round-robin proxy. Whatever one instance decides, the other knows at once.
 */
describe.runIf(DIALECTS.includes('postgres') && redisUp)('two instances on one PostgreSQL and Redis', () => {
  let stack: Stack;
  let a: string;
  let b: string;
  // Each test client comes from its own address (TRUST_PROXY is on behind the proxy): no test shares a budget.
  const client = () => ({ 'x-forwarded-for': `198.51.100.${1 + ((randomBytes(1)[0] ?? 0) % 250)}` });

  beforeAll(async () => {
    stack = (await startStack({
      instances: 2,
      env: { AUTH_RATE_LIMIT_PER_EMAIL: String(PER_EMAIL), AUTH_RATE_LIMIT_PER_IP: '1000' },
    })) as Stack;
    [a, b] = stack.instances.map((i) => i.url) as [string, string];
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  const call = async (
    base: string,
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  /** An org made with the CLI on the shared database, an admin in it, and an access token from `base`. */
  async function orgWithAdmin(base: string) {
    const ownerEmail = uniqueEmail('owner');
    const org = await crew(
      [
        'org',
        'create',
        '--name',
        `Stack ${randomBytes(4).toString('hex')}`,
        '--owner-email',
        ownerEmail,
        '--owner-password',
        PASSWORD,
      ],
      { DATABASE_URL: stack.databaseUrl },
    );
    expect(org.code, org.stderr).toBe(0);
    const { org_id: orgId } = JSON.parse(org.stdout) as { org_id: string };
    const adminEmail = uniqueEmail('admin');
    const member = await crew(
      ['member', 'add', '--org', orgId, '--email', adminEmail, '--role', 'admin', '--password', PASSWORD],
      { DATABASE_URL: stack.databaseUrl },
    );
    expect(member.code, member.stderr).toBe(0);
    const { account_id: adminId } = JSON.parse(member.stdout) as { account_id: string };
    const login = async (email: string) => {
      const res = await call(base, 'POST', '/api/v1/auth/login', {
        body: { email, password: PASSWORD },
        headers: client(),
      });
      expect(res.status).toBe(200);
      return res.body.access_token as string;
    };
    return { orgId, adminId, ownerToken: await login(ownerEmail), adminToken: await login(adminEmail) };
  }

  it('the proxy spreads requests over both instances, nothing sticky', async () => {
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await call(stack.url, 'GET', '/healthz');
      expect(res.status).toBe(200);
      served.add(res.headers.get('x-stack-instance') ?? '');
    }
    expect([...served].sort()).toEqual(['0', '1']);
  });

  it('a session made on one instance works on the other, and logging out on the other ends it on both', async () => {
    const { adminToken } = await orgWithAdmin(a);
    for (const base of [a, b]) {
      const me = await call(base, 'GET', '/api/v1/auth/me', { token: adminToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ orgs: [expect.objectContaining({ role: 'admin' })] });
    }
    const out = await call(b, 'POST', '/api/v1/auth/logout', { token: adminToken });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ status: 'ok' });
    // At once on B, which made the change; on A as soon as the commit's NOTIFY reaches it (docs/security.md).
    const me = (base: string) => call(base, 'GET', '/api/v1/auth/me', { token: adminToken });
    const onB = await me(b);
    expect(onB.status).toBe(401);
    expect(onB.body).toMatchObject({ status: 401 });
    await expect.poll(async () => (await me(a)).status, { timeout: 2000, interval: 5 }).toBe(401);
    const onA = await me(a);
    expect(onA.status).toBe(401);
    expect(onA.body).toMatchObject({ status: 401 });
  });

  it('through the proxy, one login serves requests on both instances, and its refresh cookie rotates on either', async () => {
    const ownerEmail = uniqueEmail('owner');
    const org = await crew(
      [
        'org',
        'create',
        '--name',
        `Proxy ${randomBytes(4).toString('hex')}`,
        '--owner-email',
        ownerEmail,
        '--owner-password',
        PASSWORD,
      ],
      { DATABASE_URL: stack.databaseUrl },
    );
    expect(org.code, org.stderr).toBe(0);
    const login = await fetch(`${stack.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...client() },
      body: JSON.stringify({ email: ownerEmail, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const cookie =
      login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0] ?? '')
        .find((c) => c.startsWith('refresh_token=')) ?? '';
    expect(cookie).toMatch(/^refresh_token=./);

    const servedBy = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const me = await call(stack.url, 'GET', '/api/v1/auth/me', { token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email: ownerEmail });
      servedBy.add(me.headers.get('x-stack-instance') ?? '');
    }
    expect([...servedBy].sort()).toEqual(['0', '1']);

    // Rotated on B; A knows at once that this cookie is spent (within the grace window: retry with the new one).
    const rotated = await call(b, 'POST', '/api/v1/auth/refresh', { headers: { cookie } });
    expect(rotated.status).toBe(200);
    expect(typeof rotated.body.access_token).toBe('string');
    const reused = await call(a, 'POST', '/api/v1/auth/refresh', { headers: { cookie } });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ code: 'refresh_in_progress' });
  });

  it('rate limits are shared: attempts on either instance spend one budget', async () => {
    const email = uniqueEmail('nobody');
    const headers = client();
    const statuses: number[] = [];
    for (let i = 0; i < PER_EMAIL + 2; i++) {
      const base = i % 2 === 0 ? a : b;
      const res = await call(base, 'POST', '/api/v1/auth/login', {
        body: { email, password: 'Wrong-Password-123' },
        headers,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(PER_EMAIL).fill(401), 429, 429]);
  });

  it('a demotion made on one instance applies on the other as soon as its NOTIFY arrives', async () => {
    const { orgId, adminId, ownerToken, adminToken } = await orgWithAdmin(a);
    const before = await call(b, 'GET', `/api/v1/orgs/${orgId}/audit`, { token: adminToken });
    expect(before.status).toBe(200);

    const demote = await call(a, 'PATCH', `/api/v1/orgs/${orgId}/members/${adminId}`, {
      token: ownerToken,
      body: { role: 'tech' },
    });
    expect(demote.status).toBe(200);
    expect(demote.body).toMatchObject({ account_id: adminId, role: 'tech' });

    // B hears of it when the commit's NOTIFY reaches its LISTEN connection, milliseconds after A answered (3–20 ms
    // under load): a request in between may still pass (docs/security.md, "Session cache").
    const audit = () => call(b, 'GET', `/api/v1/orgs/${orgId}/audit`, { token: adminToken });
    await expect.poll(async () => (await audit()).status, { timeout: 2000, interval: 5 }).toBe(403);
    const after = await audit();
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ status: 403, code: 'forbidden' });
    const me = await call(b, 'GET', '/api/v1/auth/me', { token: adminToken });
    expect(me.body).toMatchObject({ orgs: [expect.objectContaining({ org_id: orgId, role: 'tech' })] });
  });
});
