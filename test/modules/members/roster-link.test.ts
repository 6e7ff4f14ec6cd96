import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import {
  bearer,
  createAccount,
  createOrgFixture,
  PASSWORD,
  tokenFor,
  uniqueEmail,
} from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

describe.each(DIALECTS)('one person, one account on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev' });
  const inject = (options: InjectOptions) => ctx.app.inject(options);

  /** An org whose roster has profiles with `emails` (no account), the first one invited to a mission. */
  async function rosterWith(emails: string[]) {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const profiles: string[] = [];
    for (const email of emails) {
      const id = await kit.user();
      await ctx.app.database.db.updateTable('users').set({ email }).where('id', '=', id).execute();
      profiles.push(id);
    }
    const { missionId, roleId } = await kit.mission(8, 12, { title: 'Load-in' });
    const invited = await kit.invite(org.manager.headers, missionId, {
      user_id: profiles[0],
      role_id: roleId,
    });
    expect(invited.statusCode, invited.body).toBe(201);
    return { org, profiles, assignmentId: invited.json().id as string };
  }
  const inviteToOrg = async (org: Awaited<ReturnType<typeof rosterWith>>['org'], email: string) => {
    const res = await inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/members`,
      headers: org.admin.headers,
      payload: { email, role: 'tech' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().token as string;
  };
  const myAssignments = async (headers: Record<string, string>) => {
    const res = await inject({ method: 'GET', url: '/api/v1/me/assignments', headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: string; status: string }[]).map((a) => [a.id, a.status]);
  };
  const profile = (id: string) =>
    ctx.app.database.db
      .selectFrom('users')
      .select('account_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('links the roster profile with the same email (any case) to a new account that joins; audited', async () => {
    const email = uniqueEmail('alex');
    const { org, profiles, assignmentId } = await rosterWith([email.toUpperCase()]);
    const token = await inviteToOrg(org, email);
    const joined = await inject({
      method: 'POST',
      url: `/api/v1/org-invitations/${token}/accept`,
      payload: { password: PASSWORD },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const accountId = joined.json().account_id as string;
    expect(await profile(profiles[0]!)).toEqual({ account_id: accountId });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'org_id', 'actor_account_id'])
      .where('entity_id', '=', profiles[0]!)
      .where('action', '=', 'user.account_link')
      .execute();
    expect(audit).toEqual([{ action: 'user.account_link', org_id: org.orgId, actor_account_id: accountId }]);
    // No PATCH by anyone: the person sees their work at once.
    expect(await myAssignments(bearer(await tokenFor(ctx.app, accountId, org.orgId)))).toEqual([
      [assignmentId, 'INVITED'],
    ]);
  });

  it('links an existing account that joins with its login', async () => {
    const account = await createAccount(ctx.app);
    const { org, profiles, assignmentId } = await rosterWith([account.email]);
    const token = await inviteToOrg(org, account.email);
    const headers = bearer(await tokenFor(ctx.app, account.id, null));
    const joined = await inject({
      method: 'POST',
      url: `/api/v1/org-invitations/${token}/accept`,
      headers,
      payload: {},
    });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(await profile(profiles[0]!)).toEqual({ account_id: account.id });
    expect(await myAssignments(headers)).toEqual([[assignmentId, 'INVITED']]);
  });

  it('links nothing when two unlinked profiles share the email: a manager decides', async () => {
    const email = uniqueEmail('twin');
    const { org, profiles } = await rosterWith([email, email]);
    const token = await inviteToOrg(org, email);
    const joined = await inject({
      method: 'POST',
      url: `/api/v1/org-invitations/${token}/accept`,
      payload: { password: PASSWORD },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(await profile(profiles[0]!)).toEqual({ account_id: null });
    expect(await profile(profiles[1]!)).toEqual({ account_id: null });
    expect(await myAssignments(bearer(await tokenFor(ctx.app, joined.json().account_id, org.orgId)))).toEqual(
      [],
    );
  });
});
