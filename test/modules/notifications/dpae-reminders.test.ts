import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { payKit } from '../pay/fixtures.js';
import { crewKit, HOUR, MINUTE, notificationsOf } from './helpers.js';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

const inHours = (h: number, from = Date.now()) => new Date(from + h * HOUR).toISOString();

describe.each(DIALECTS)('DPAE reminders to managers through a real SMTP server on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    get SMTP_URL() {
      return smtp.url;
    },
  });

  it('reminds the inviting manager (else every manager, admin and owner) once per assignment entering the delay, coalesced, without the declared or cancelled ones (fr)', async () => {
    const org = await createOrgFixture(ctx.app);
    const crew = crewKit(ctx, org);
    const pay = payKit(ctx.app, org);
    const t0 = Date.now();

    // Invited by the manager through the API, accepted: the manager is reminded.
    const alice = await pay.user({ first: 'Alice', last: 'Martin' });
    const shown = await crew.missionBetween(inHours(30, t0), inHours(34, t0), { title: 'Montage' });
    const a = await crew.invited(shown.missionId, shown.roleId, alice);
    expect((await crew.act(org.manager.headers, a, 'accept')).statusCode).toBe(200);
    // No inviter known: every manager, admin and owner.
    const bruno = await pay.user({ first: 'Bruno', last: 'Petit' });
    const b = await pay.engagement(bruno, inHours(40, t0), inHours(44, t0), { title: 'Concert' });
    // Declared before the scan, declared after it, cancelled after it, not yet in the window.
    const chloe = await pay.user({ first: 'Chloé', last: 'Declared' });
    const c = await pay.engagement(chloe, inHours(20, t0), inHours(24, t0), { title: 'Déclarée' });
    const declared = await pay.send(org.manager.headers, 'POST', `/assignments/${c.assignmentId}/dpae`, {
      reference: 'DPAE-1',
    });
    expect(declared.statusCode, declared.body).toBe(200);
    const fanny = await pay.user({ first: 'Fanny', last: 'Later' });
    const f = await pay.engagement(fanny, inHours(10, t0), inHours(12, t0), { title: 'Déclarée ensuite' });
    const emma = await pay.user({ first: 'Emma', last: 'Cancelled' });
    const e = await pay.engagement(emma, inHours(12, t0), inHours(14, t0), { title: 'Annulée' });
    const dan = await pay.user({ first: 'Dan', last: 'Far' });
    const d = await pay.engagement(dan, inHours(72, t0), inHours(76, t0), { title: 'Tournée' });

    // The scan queues; the messages wait for the coalescing window (120 s by default).
    expect((await ctx.app.notifications.tick()).sent).toBe(0);
    const queued = await notificationsOf(ctx, org, '?state=queued');
    const reminders = queued.items.filter((n) => n.kind === 'dpae_reminder');
    expect(reminders.map((n) => n.recipient).sort()).toEqual(
      [org.owner.email, org.admin.email, org.manager.email].sort(),
    );
    expect(
      (await pay.send(org.manager.headers, 'POST', `/assignments/${f.assignmentId}/dpae`)).statusCode,
    ).toBe(200);
    expect((await crew.act(org.manager.headers, e.assignmentId, 'cancel')).statusCode).toBe(200);

    await ctx.app.notifications.tick({ now: new Date(t0 + 3 * MINUTE) });
    const [toManager] = await smtp.waitForMails(org.manager.email);
    const [toAdmin] = await smtp.waitForMails(org.admin.email);
    await smtp.waitForMails(org.owner.email);
    expect(smtp.mailsTo(org.manager.email)).toHaveLength(1);
    expect(toManager!.subject).toBe('DPAE à déclarer : 2 embauches');
    expect(toManager!.header('x-coulisses-notification')).toBe('dpae_reminder');
    expect(toManager!.text).toContain(
      'Aucune DPAE n’est enregistrée pour ces 2 engagements acceptés, qui commencent dans moins de 48 h.',
    );
    expect(toManager!.text).toContain('== Alice Martin – Montage ==');
    expect(toManager!.text).toContain('== Bruno Petit – Concert ==');
    expect(toManager!.text).toContain('Contrat: intermittent');
    expect(toManager!.html).toContain('Alice Martin');
    for (const gone of ['Chloé', 'Fanny', 'Emma', 'Dan']) expect(toManager!.text).not.toContain(gone);
    expect(toAdmin!.subject).toMatch(/^DPAE à déclarer : Bruno Petit, Concert – /);
    expect(toAdmin!.text).not.toContain('Alice');

    // Later, Dan's mission enters the window: one more reminder; the others are not reminded again.
    const later = t0 + 25 * HOUR;
    await ctx.app.notifications.tick({ now: new Date(later) });
    await ctx.app.notifications.tick({ now: new Date(later + 3 * MINUTE) });
    const mails = await smtp.waitForMails(org.manager.email, 2);
    expect(mails[1]!.subject).toMatch(/^DPAE à déclarer : Dan Far, Tournée – /);
    expect(mails[1]!.text).not.toContain('Alice');
    await ctx.app.notifications.tick({ now: new Date(later + 2 * HOUR) });
    await ctx.app.notifications.tick({ now: new Date(later + 2 * HOUR + 3 * MINUTE) });
    expect(smtp.mailsTo(org.manager.email)).toHaveLength(2);
    expect(smtp.mailsTo(org.admin.email)).toHaveLength(2);
    void b;
    void d;
  });

  it('follows the org switch, the language and the DPAE delay of the pay settings (en)', async () => {
    const org = await createOrgFixture(ctx.app);
    const pay = payKit(ctx.app, org);
    const patch = (payload: object) =>
      ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/notification-settings`,
        headers: org.admin.headers,
        payload,
      });
    const off = await patch({ dpae_reminder: false, language: 'en', coalesce_seconds: 0 });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ dpae_reminder: false, reminder: true, language: 'en' });
    const delay = await pay.send(org.admin.headers, 'PATCH', '/pay-settings', { dpae_delay_hours: 100 });
    expect(delay.statusCode, delay.body).toBe(200);
    const t0 = Date.now();
    const gus = await pay.user({ first: 'Gus', last: 'Moreau' });
    await pay.engagement(gus, inHours(90, t0), inHours(94, t0), { title: 'Festival' });

    await ctx.app.notifications.tick({ now: new Date(t0 + MINUTE) });
    expect(smtp.mailsTo(org.owner.email)).toEqual([]);
    expect((await notificationsOf(ctx, org)).items.filter((n) => n.kind === 'dpae_reminder')).toEqual([]);

    const on = await patch({ dpae_reminder: true });
    expect(on.json()).toMatchObject({ dpae_reminder: true });
    await ctx.app.notifications.tick({ now: new Date(t0 + 3 * MINUTE) });
    const [mail] = await smtp.waitForMails(org.owner.email);
    expect(mail!.subject).toMatch(/^DPAE to declare: Gus Moreau, Festival – /);
    expect(mail!.text).toContain(
      'No DPAE is recorded for this accepted engagement, which starts within 100 h.',
    );
    expect(mail!.text).toContain('Employment: intermittent');

    const bad = await patch({ dpae_reminder: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  });
});
