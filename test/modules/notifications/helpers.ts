import { expect } from 'vitest';
import type { TestContext } from '../../helpers/app.js';
import type { OrgFixture } from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The staffing kit, with people who have an email address (the kit's roster rows have none). */
export function crewKit(ctx: TestContext, org: OrgFixture) {
  const kit = staffingKit(ctx.app, org);
  return {
    ...kit,
    async person(email: string, opts: { accountId?: string; first?: string } = {}) {
      const id = await kit.user({ ...opts, first: opts.first ?? 'Hugo' });
      await ctx.app.database.db.updateTable('users').set({ email }).where('id', '=', id).execute();
      return id;
    },
    /** The manager invites `userId` to the role, through the API. */
    async invited(missionId: string, roleId: string, userId: string) {
      const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    },
  };
}

/** A moment after every coalescing window opened so far has closed. */
export const afterWindow = () => new Date(Date.now() + 3 * MINUTE);

/** The notifications of an org, through the admin API. */
export async function notificationsOf(ctx: TestContext, org: OrgFixture, query = '') {
  const res = await ctx.app.inject({
    method: 'GET',
    url: `/api/v1/orgs/${org.orgId}/notifications${query}`,
    headers: org.admin.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    items: {
      id: string;
      kind: string;
      state: string;
      recipient: string;
      attempts: number;
      message_id: string;
    }[];
    next_cursor: string | null;
  };
}
