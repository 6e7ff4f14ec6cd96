import { describe, expect, it } from 'vitest';
import type { MemberRole } from '../../src/platform/db/tables.js';
import type { TestContext } from './app.js';
import {
  bearer,
  createAccount,
  createOrgFixture,
  expiredTokenFor,
  tokenFor,
  type OrgFixture,
} from './factories.js';

export interface SecuredRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The URL for an org (and whatever fixture the route needs, created by `setup`). */
  url: (org: OrgFixture) => string | Promise<string>;
  /** The least role allowed: it must get past access control (not 401/403), every lower role must get 403. */
  minRole: MemberRole;
  body?: unknown;
}

const BELOW: Record<MemberRole, MemberRole[]> = {
  tech: [],
  manager: ['tech'],
  admin: ['tech', 'manager'],
  owner: ['tech', 'manager', 'admin'],
};

/**
 * The shared security suite every org route's tests run: no token, a forged or expired token, a token of
 * another org, a member whose role is too low, a non-member → 401 / 403, always as problem+json; and the declared
 * minimum role gets past access control, so raising a route's role cannot leave its suite green.
 */
export function securitySuite(ctx: TestContext, route: SecuredRoute): void {
  describe(`security of ${route.method} (≥ ${route.minRole})`, () => {
    const call = async (headers: Record<string, string>, org?: OrgFixture) => {
      const fixture = org ?? (await createOrgFixture(ctx.app));
      return ctx.app.inject({
        method: route.method,
        url: await route.url(fixture),
        headers,
        ...(route.body === undefined ? {} : { payload: route.body as object }),
      });
    };
    const expectProblem = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status, code });
    };

    it('401 without a token', async () => {
      expectProblem(await call({}), 401, 'unauthorized');
    });

    it('401 with a forged token', async () => {
      const org = await createOrgFixture(ctx.app);
      const [head, payload] = org.owner.token.split('.');
      expectProblem(await call(bearer(`${head}.${payload}.${'A'.repeat(43)}`), org), 401, 'unauthorized');
    });

    it('401 with an expired token', async () => {
      const org = await createOrgFixture(ctx.app);
      expectProblem(
        await call(bearer(await expiredTokenFor(ctx.app, org.owner.accountId, org.orgId)), org),
        401,
        'unauthorized',
      );
    });

    it('403 with the token of another org', async () => {
      const org = await createOrgFixture(ctx.app);
      const other = await createOrgFixture(ctx.app);
      expectProblem(await call(other.owner.headers, org), 403, 'forbidden');
    });

    it('403 for an account that is not a member', async () => {
      const org = await createOrgFixture(ctx.app);
      const stranger = await createAccount(ctx.app);
      // a token claiming the org, for an account with no membership in it
      expectProblem(
        await call(bearer(await tokenFor(ctx.app, stranger.id, org.orgId)), org),
        403,
        'forbidden',
      );
    });

    it(`a ${route.minRole} gets past access control`, async () => {
      const org = await createOrgFixture(ctx.app);
      const res = await call(org[route.minRole].headers, org);
      // whatever the route answers next (200, 404 for a made-up id, 409…), access control let the caller in
      expect([401, 403], res.body).not.toContain(res.statusCode);
      expect(res.statusCode, res.body).toBeLessThan(500);
    });

    for (const role of BELOW[route.minRole]) {
      it(`403 for a ${role}`, async () => {
        const org = await createOrgFixture(ctx.app);
        expectProblem(await call(org[role].headers, org), 403, 'forbidden');
      });
    }
  });
}
