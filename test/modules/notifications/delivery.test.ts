import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createAccount, createOrgFixture, uniqueEmail } from '../../helpers/factories.js';
import { securitySuite } from '../../helpers/security-suite.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { afterWindow, crewKit, HOUR, MINUTE, notificationsOf } from './helpers.js';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

describe.each(DIALECTS)('notifications through a real SMTP server on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    get SMTP_URL() {
      return smtp.url;
    },
  });

  securitySuite(ctx, {
    method: 'GET',
    url: (org) => `/api/v1/orgs/${org.orgId}/notifications`,
    minRole: 'admin',
  });
  securitySuite(ctx, {
    method: 'PATCH',
    url: (org) => `/api/v1/orgs/${org.orgId}/notification-settings`,
    minRole: 'admin',
    body: { reminder: false },
  });

  it('invites a person without an account: one mail after the window, both parts, local times with the zone, a link that opens the invitation', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const email = uniqueEmail('hugo');
    const userId = await kit.person(email);
    const { missionId, roleId } = await kit.mission(13, 17, { title: 'Montage scène' }); // 14:00–18:00 in Paris
    const assignmentId = await kit.invited(missionId, roleId, userId);

    // Sent by the dispatcher only, and only once the coalescing window is over.
    expect(smtp.mailsTo(email)).toEqual([]);
    expect((await ctx.app.notifications.tick()).sent).toBe(0);
    expect((await notificationsOf(ctx, org, '?state=queued')).items).toEqual([
      expect.objectContaining({ kind: 'invitation', state: 'queued', recipient: email }),
    ]);
    await ctx.app.notifications.tick({ now: afterWindow() });
    const [mail] = await smtp.waitForMails(email);
    expect(smtp.mailsTo(email)).toHaveLength(1);

    const [listed] = (await notificationsOf(ctx, org)).items;
    expect(listed).toMatchObject({ kind: 'invitation', state: 'sent', attempts: 1 });
    expect(mail!.messageId).toBe(listed!.message_id);
    expect(mail!.messageId).toMatch(/^<[0-9a-f-]{36}@crew\.example\.com>$/);
    expect(mail!.subject).toBe('Invitation : Montage scène – lundi 3 mars 2031');
    for (const part of [mail!.text, mail!.html]) {
      expect(part).toContain('Montage scène');
      expect(part).toContain('Rigger');
      expect(part).toContain('lundi 3 mars 2031, 14:00–18:00 (UTC+1, Europe/Paris)');
      expect(part).toContain('Lyon');
      expect(part).not.toContain('13:00');
    }
    expect(mail!.html).toMatch(/^<!doctype html>/);
    expect(mail!.html).toContain('lang="fr"');
    expect(mail!.text).not.toContain('application Coulisses Crew'); // no account: the link alone

    const token = /https:\/\/crew\.example\.com\/invitations\/([\w-]{43})/.exec(mail!.text)?.[1];
    expect(token).toBeDefined();
    const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ status: 'INVITED', mission: { title: 'Montage scène' } });
    const accepted = await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept` });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'ACCEPTED' });
    const assignment = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/assignments/${assignmentId}`,
      headers: org.manager.headers,
    });
    expect(assignment.json()).toMatchObject({ status: 'ACCEPTED' });
  });

  it('a person with an account gets the link and the app; several invitations within the window make one message', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const account = await createAccount(ctx.app);
    const email = uniqueEmail('lea');
    const lea = await kit.person(email, { accountId: account.id, first: 'Léa' });
    const other = uniqueEmail('other');
    const otherId = await kit.person(other);
    const missions = [await kit.mission(30, 34), await kit.mission(54, 58), await kit.mission(78, 82)];
    for (const m of missions) await kit.invited(m.missionId, m.roleId, lea);
    await kit.invited(missions[0]!.missionId, missions[0]!.roleId, otherId);

    await ctx.app.notifications.tick({ now: afterWindow() });
    const [mail] = await smtp.waitForMails(email);
    await smtp.waitForMails(other);
    expect(smtp.mailsTo(email)).toHaveLength(1);
    expect(smtp.mailsTo(other)).toHaveLength(1);
    expect(mail!.subject).toBe(`3 invitations de ${org.name}`);
    expect(mail!.text.match(/https:\/\/crew\.example\.com\/invitations\/[\w-]{43}/g)).toHaveLength(3);
    expect(mail!.text).toContain(`connecté·e avec ${account.email}`);
    expect(mail!.text).toContain('Bonjour Léa,');
  });

  it('an org invitation is mailed by the dispatcher with a /join link whose token works', async () => {
    const org = await createOrgFixture(ctx.app);
    const email = uniqueEmail('joiner');
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/members`,
      headers: org.admin.headers,
      payload: { email, role: 'tech' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).not.toHaveProperty('token'); // not dev: the token only travels in the mail
    expect(smtp.mailsTo(email)).toEqual([]);
    await ctx.app.notifications.tick();
    const [mail] = await smtp.waitForMails(email);
    expect(mail!.subject).toBe(`Invitation à rejoindre ${org.name} sur Coulisses Crew`);
    const token = /https:\/\/crew\.example\.com\/join\?token=([\w-]{43})/.exec(mail!.text)?.[1];
    expect(token).toBeDefined();
    const stored = await ctx.app.database.db.selectFrom('org_invitations').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
    const joined = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/org-invitations/${token}/accept`,
      payload: { password: 'Newcomer-passphrase-1' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json()).toMatchObject({ org_id: org.orgId, role: 'tech' });
  });

  it('rolled back: an invitation batch that fails writes no event and sends nothing', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const email = uniqueEmail('rollback');
    const userId = await kit.person(email);
    const { missionId, roleId } = await kit.mission(100, 104);
    const count = async () =>
      Number(
        (
          await ctx.app.database.db
            .selectFrom('events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', org.orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const res = await kit.invite(org.manager.headers, missionId, {
      invites: [
        { user_id: userId, role_id: roleId },
        { user_id: userId, role_id: '00000000-0000-4000-8000-000000000000' },
      ],
    });
    expect(res.statusCode).toBe(404);
    expect(await count()).toBe(0);
    await ctx.app.notifications.tick({ now: afterWindow() });
    expect((await notificationsOf(ctx, org)).items).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.mailsTo(email)).toEqual([]);
  });

  it('org settings switch a kind off; the language follows the setting', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const patch = (payload: object) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/notification-settings`,
        headers: org.admin.headers,
        payload,
      });
    const off = await patch({ invitation: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({
      invitation: false,
      reminder: true,
      language: 'fr',
      language_is_default: true,
    });
    const silent = uniqueEmail('silent');
    const m = await kit.mission(120, 124, { title: 'Démontage' });
    await kit.invited(m.missionId, m.roleId, await kit.person(silent));
    await ctx.app.notifications.tick({ now: afterWindow() });

    expect((await patch({ invitation: true, language: 'en' })).json()).toMatchObject({
      invitation: true,
      language: 'en',
      language_is_default: false,
    });
    const heard = uniqueEmail('heard');
    await kit.invited(m.missionId, m.roleId, await kit.person(heard));
    await ctx.app.notifications.tick({ now: afterWindow() });
    const [mail] = await smtp.waitForMails(heard);
    expect(mail!.subject).toBe('Invitation: Démontage – Saturday, 8 March 2031');
    expect(mail!.text).toContain('Saturday, 8 March 2031, 01:00–05:00 (CET, Europe/Paris)');
    expect(smtp.mailsTo(silent)).toEqual([]);

    const bad = await patch({ reminder_lead_minutes: 5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
    const audit = await ctx.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', org.orgId)
      .where('action', '=', 'notification_settings.update')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('a refused delivery is retried with exponential backoff, then dead, and an admin retries it', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const email = uniqueEmail('retry');
    const m = await kit.mission(140, 144);
    await kit.invited(m.missionId, m.roleId, await kit.person(email));
    smtp.refuseNext(5);
    let now = afterWindow();
    const states: { state: string; attempts: number; delay: number }[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = await ctx.app.notifications.tick({ now });
      expect(result.failed + result.dead).toBe(1);
      const row = await ctx.app.database.db
        .selectFrom('notifications')
        .select(['state', 'attempts', 'due_at', 'last_error'])
        .where('org_id', '=', org.orgId)
        .executeTakeFirstOrThrow();
      states.push({
        state: row.state,
        attempts: row.attempts,
        delay: Date.parse(row.due_at) - now.getTime(),
      });
      expect(row.last_error).toMatch(/451/);
      // Not yet due just before the delay ends.
      expect((await ctx.app.notifications.tick({ now: new Date(Date.parse(row.due_at) - 1000) })).sent).toBe(
        0,
      );
      now = new Date(Date.parse(row.due_at) + 1);
    }
    expect(states).toEqual([
      { state: 'failed', attempts: 1, delay: 30_000 },
      { state: 'failed', attempts: 2, delay: 60_000 },
      { state: 'failed', attempts: 3, delay: 120_000 },
      { state: 'failed', attempts: 4, delay: 240_000 },
      { state: 'dead', attempts: 5, delay: 480_000 },
    ]);
    expect((await ctx.app.notifications.tick({ now: new Date(now.getTime() + HOUR) })).sent).toBe(0);
    const [dead] = (await notificationsOf(ctx, org, '?state=dead')).items;
    expect(dead).toMatchObject({ state: 'dead', attempts: 5 });

    const retryUrl = `/api/v1/orgs/${org.orgId}/notifications/${dead!.id}/retry`;
    const manager = await ctx.app.inject({ method: 'POST', url: retryUrl, headers: org.manager.headers });
    expect(manager.statusCode).toBe(403);
    const retried = await ctx.app.inject({ method: 'POST', url: retryUrl, headers: org.admin.headers });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ id: dead!.id, state: 'queued', attempts: 0 });
    await ctx.app.notifications.tick({ now: new Date(Date.now() + MINUTE) });
    const [mail] = await smtp.waitForMails(email);
    expect(mail!.messageId).toBe(dead!.message_id);
    const again = await ctx.app.inject({ method: 'POST', url: retryUrl, headers: org.admin.headers });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'invalid_transition', notification_state: 'sent' });
    const other = await createOrgFixture(ctx.app);
    const foreign = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${other.orgId}/notifications/${dead!.id}/retry`,
      headers: other.admin.headers,
    });
    expect(foreign.statusCode).toBe(404);
  });
});
