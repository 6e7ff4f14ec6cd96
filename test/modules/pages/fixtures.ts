import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

/**
 * An org (Europe/Paris) whose manager, Camille Martin, invited a crew member to a mission with notes; with the
 * assignment's signed link. Needs APP_ENV=dev so the API answers the token.
 */
export async function invitationWithLink(
  app: FastifyInstance,
  opts: { org?: OrgFixture; email?: string; link?: boolean } = {},
) {
  const org = opts.org ?? (await createOrgFixture(app));
  const kit = staffingKit(app, org);
  const managerProfile = await app.database.db
    .selectFrom('users')
    .select('id')
    .where('account_id', '=', org.manager.accountId)
    .executeTakeFirst();
  if (!managerProfile) await kit.user({ accountId: org.manager.accountId, first: 'Camille' });
  await app.database.db
    .updateTable('users')
    .set({ last_name: 'Martin', phone: '+33 6 12 34 56 78', email: 'camille@example.com' })
    .where('account_id', '=', org.manager.accountId)
    .execute();
  // Monday 3 March 2031, 08:00–16:00 UTC = 09:00–17:00 in Paris (UTC+1).
  const { missionId, roleId } = await kit.mission(8, 16, { title: 'Get-in Zénith' });
  await app.database.db
    .updateTable('missions')
    .set({ notes: 'Bring gloves & boots <b>not bold</b>' })
    .where('id', '=', missionId)
    .execute();
  const userId = await kit.user({ first: 'Alex' });
  if (opts.email)
    await app.database.db.updateTable('users').set({ email: opts.email }).where('id', '=', userId).execute();
  const invited = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
  expect(invited.statusCode, invited.body).toBe(201);
  const assignmentId = invited.json().id as string;
  // Without an API link, the invitation mail carries the one link (the dispatcher makes it when it sends).
  if (opts.link === false) return { org, kit, missionId, roleId, userId, assignmentId, url: '', token: '' };
  const link = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}/link`,
    headers: org.manager.headers,
  });
  expect(link.statusCode, link.body).toBe(201);
  const { url, token } = link.json() as { url: string; token: string };
  return { org, kit, missionId, roleId, userId, assignmentId, url, token };
}

/** The hidden form token of a rendered page. */
export function formTokenOf(html: string): string {
  const found = /name="form_token" value="([^"]+)"/.exec(html);
  if (!found?.[1]) throw new Error('no form token on the page');
  return found[1];
}
