import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/platform/http/logging.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, uniqueEmail } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { BASE } from '../assignments/fixtures.js';
import { afterWindow, crewKit, HOUR, MINUTE } from './helpers.js';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

/** Kit hours (relative to BASE) for a time relative to now. */
const fromNow = (ms: number) => (Date.now() + ms - BASE) / HOUR;

describe.each(DIALECTS)('change, cancellation, answer and reminder mails on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    get SMTP_URL() {
      return smtp.url;
    },
  });
  const tick = (now = afterWindow()) => ctx.app.notifications.tick({ now });

  it('a moved mission reaches only its holders, with what changed; the manager hears of answers', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const [accepted, invited, declined, elsewhere] = ['acc', 'inv', 'dec', 'else'].map((p) => uniqueEmail(p));
    const { missionId, roleId } = await kit.mission(13, 17, { quota: 3, title: 'Balances' });
    const other = await kit.mission(40, 44);
    const a = await kit.invited(missionId, roleId, await kit.person(accepted!));
    await kit.invited(missionId, roleId, await kit.person(invited!));
    const d = await kit.invited(missionId, roleId, await kit.person(declined!, { first: 'Inès' }));
    await kit.invited(other.missionId, other.roleId, await kit.person(elsewhere!));
    await tick();
    expect((await kit.act(org.manager.headers, a, 'accept')).statusCode).toBe(200);
    const refusal = await kit.act(org.tech.headers, d, 'decline', { reason: 'Déjà pris' });
    // a tech answers only for themselves: the manager answers for Inès, which sends the manager nothing
    expect(refusal.statusCode).toBe(404);
    expect((await kit.act(org.owner.headers, d, 'decline', { reason: 'Déjà pris' })).statusCode).toBe(200);
    await tick();
    const answers = await smtp.waitForMails(org.manager.email);
    expect(answers).toHaveLength(1); // the accept was the manager's own doing
    expect(answers[0]!.subject).toMatch(/^Inès \S+ a refusé : Balances$/);
    expect(answers[0]!.text).toContain('Motif : Déjà pris');

    const moved = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/missions/${missionId}`,
      headers: org.manager.headers,
      payload: {
        starts_at: '2031-03-03T16:00:00.000Z',
        ends_at: '2031-03-03T20:00:00.000Z',
        location: 'Zénith',
      },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await tick();
    for (const email of [accepted!, invited!]) {
      const mails = await smtp.waitForMails(email, 2);
      expect(mails).toHaveLength(2); // the invitation, then the change
      const change = mails[1]!;
      expect(change.subject).toBe('Changement : Balances – lundi 3 mars 2031');
      expect(change.text).toContain('Début: 14:00 → 17:00');
      expect(change.text).toContain('Fin: 18:00 → 21:00');
      expect(change.text).toContain('Lieu: Lyon → Zénith');
      expect(change.html).toContain('<del>14:00</del> → <ins>17:00</ins>');
      for (const part of [change.text, change.html]) {
        expect(part).toContain('lundi 3 mars 2031, 17:00–21:00 (UTC+1, Europe/Paris)');
      }
    }
    expect(smtp.mailsTo(declined!)).toHaveLength(1); // its invitation only
    expect(smtp.mailsTo(elsewhere!)).toHaveLength(1);

    const notesOnly = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/missions/${missionId}`,
      headers: org.manager.headers,
      payload: { title: 'Balances' },
    });
    expect(notesOnly.statusCode).toBe(200);
    expect((await tick()).sent).toBe(0); // nothing changed: no event, no mail
  });

  it('cancellation and deletion reach the holders; an invitation cancelled inside its window is never sent', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const [kept, withdrawn, deleted] = ['kept', 'withdrawn', 'deleted'].map((p) => uniqueEmail(p));
    const m = await kit.mission(60, 64, { title: 'Concert' });
    const k = await kit.invited(m.missionId, m.roleId, await kit.person(kept!));
    await tick();
    await smtp.waitForMails(kept!);
    expect((await kit.act(org.manager.headers, k, 'cancel', { reason: 'Plateau réduit' })).statusCode).toBe(
      200,
    );
    const w = await kit.invited(m.missionId, m.roleId, await kit.person(withdrawn!));
    expect((await kit.act(org.manager.headers, w, 'cancel')).statusCode).toBe(200);
    await tick();
    const [, cancelled] = await smtp.waitForMails(kept!, 2);
    expect(cancelled!.subject).toBe('Annulé : Concert – mercredi 5 mars 2031');
    expect(cancelled!.text).toContain('Motif : Plateau réduit');
    expect(smtp.mailsTo(withdrawn!)).toEqual([]);

    const gone = await kit.mission(80, 84, { title: 'Répétition' });
    await kit.invited(gone.missionId, gone.roleId, await kit.person(deleted!));
    await tick();
    await smtp.waitForMails(deleted!);
    const del = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.orgId}/missions/${gone.missionId}`,
      headers: org.manager.headers,
    });
    expect(del.statusCode, del.body).toBe(204);
    await tick();
    const [, notice] = await smtp.waitForMails(deleted!, 2);
    expect(notice!.subject).toMatch(/^Annulé : Répétition – /);
    expect(notice!.text).toContain('La mission a été supprimée.');
  });

  it('a reminder before each accepted assignment, with List-Unsubscribe; the person switches reminders off', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const email = uniqueEmail('remind');
    const userId = await kit.person(email);
    const soon = await kit.mission(fromNow(10 * HOUR), fromNow(14 * HOUR), { title: 'Demain matin' });
    const later = await kit.mission(fromNow(48 * HOUR), fromNow(52 * HOUR), { title: 'Après-demain' });
    const last = await kit.mission(fromNow(96 * HOUR), fromNow(100 * HOUR), { title: 'Dans quatre jours' });
    for (const m of [soon, later, last]) {
      const id = await kit.invited(m.missionId, m.roleId, userId);
      expect((await kit.act(org.manager.headers, id, 'accept')).statusCode).toBe(200);
    }
    // accepted on their behalf before the dispatcher ran: no invitation is left to send
    expect((await tick()).sent).toBe(0);
    const reminders = await ctx.app.database.db
      .selectFrom('notifications')
      .select(['due_at'])
      .where('kind', '=', 'reminder')
      .where('user_id', '=', userId)
      .orderBy('due_at')
      .execute();
    // none for the mission that starts in 10 h: sooner than the 24 h lead
    expect(reminders.map((r) => Math.round((Date.parse(r.due_at) - Date.now()) / HOUR))).toEqual([24, 72]);

    expect((await tick(new Date(Date.now() + 23 * HOUR))).sent).toBe(0);
    await tick(new Date(Date.now() + 24 * HOUR + MINUTE));
    const [reminder] = await smtp.waitForMails(email, 1);
    expect(reminder!.subject).toMatch(/^Rappel : Après-demain – /);
    const unsubscribe = reminder!.header('List-Unsubscribe');
    expect(unsubscribe).toMatch(
      /^<https:\/\/crew\.example\.com\/notifications\/unsubscribe\/[0-9a-f-]{36}\/[\w-]{43}>$/,
    );
    expect(reminder!.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const url = unsubscribe!.slice('<https://crew.example.com'.length, -1);
    // the token never reaches a log line (the user id may)
    expect(redactUrl(url)).toBe(url.replace(/\/[\w-]{43}$/, '/[redacted]'));
    expect(redactUrl(url)).toMatch(/^\/notifications\/unsubscribe\/[0-9a-f-]{36}\/\[redacted\]$/);
    expect(reminder!.text).toContain(`Ne plus recevoir de rappels: https://crew.example.com${url}`);

    const page = await ctx.app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    const forged = await ctx.app.inject({
      method: 'POST',
      url: url.replace(/\/[\w-]{43}$/, `/${'A'.repeat(43)}`),
    });
    expect(forged.statusCode).toBe(404);
    const oneClick = await ctx.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.body).toContain('vous ne recevrez plus de rappels');

    await tick(new Date(Date.now() + 72 * HOUR + MINUTE));
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.mailsTo(email)).toHaveLength(1); // no second reminder

    // changes to accepted work still arrive
    const moved = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/missions/${last.missionId}`,
      headers: org.manager.headers,
      payload: { notes: 'Apporter les gants' },
    });
    expect(moved.statusCode).toBe(200);
    await tick();
    const [, change] = await smtp.waitForMails(email, 2);
    expect(change!.text).toContain('Notes: (aucun) → Apporter les gants');
  });
});
