import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

const GARBAGE_BODIES: unknown[] = [
  undefined,
  {},
  { unexpected: true },
  [],
  'text',
  { name: 12, email: ['x'], starts_at: 'yesterday', ends_at: -1, user_id: 'not-a-uuid', role: 'god' },
  {
    status: 'ARCHIVED',
    quota: 0,
    roles: [{}],
    missions: [{}],
    invites: [{}],
    template: {},
    dates: ['2026-02-30'],
  },
];

/**
 * Every route, called by an owner with malformed ids and bodies: bad input gets a 4xx problem, never a 500
 * (no database error, no crash in a handler).
 */
describe.each(DIALECTS)('no route answers 500 to bad input on %s', (dialect) => {
  const ctx = useTestApp(dialect, { AUTH_RATE_LIMIT_PER_IP: '100000', AUTH_RATE_LIMIT_PER_EMAIL: '100000' });

  it('holds for every declared route', async () => {
    const org = await createOrgFixture(ctx.app);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // logout would end the owner's session half-way through the sweep; an event stream never ends by itself
    // (its bad input is covered in test/modules/live/stream.test.ts)
    const routes = ctx.app.accessRules.filter(
      (r) => r.url !== '/api/v1/auth/logout' && !(r.method === 'GET' && r.url.endsWith('/events')),
    );
    for (const { method, url } of routes) {
      for (const id of [crypto.randomUUID(), 'not-a-uuid', "x'; DROP TABLE users; --", '%00']) {
        const path = url.replace(':org_id', org.orgId).replace(/:\w+/g, encodeURIComponent(id));
        for (const query of ['', '?limit=abc&from=never&cursor=%25%25&status=WHATEVER'])
          for (const body of method === 'GET' || method === 'DELETE' ? [undefined] : GARBAGE_BODIES) {
            const res = await ctx.app.inject({
              method: method as 'GET',
              url: `${path}${query}`,
              headers: {
                ...org.owner.headers,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(body === undefined
                ? {}
                : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
            });
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            if (res.statusCode >= 500)
              failures.push(
                `${method} ${path} ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 120)}`,
              );
            else expect(res.headers['content-type'] ?? '').not.toMatch(/text\/html/);
          }
      }
    }
    expect(failures).toEqual([]);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1900);
    // the sweep reached validation (400), lookups (404) and rule checks (403/409), not just one wall
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 404]));
    expect(statuses.get(400)!).toBeGreaterThan(total / 2);
    expect(statuses.get(401) ?? 0).toBeLessThan(total / 20);
  });
});
