import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, uniqueEmail } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { afterWindow, crewKit, notificationsOf } from './helpers.js';

// A relay that takes 150 ms to answer each message, so the sends of one round overlap.
const DELAY_MS = 150;
const MAILS = 12;

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink({ delayMs: DELAY_MS });
});
afterAll(() => smtp.close());

describe.each(DIALECTS)('the pooled SMTP transport on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    SMTP_MAX_CONNECTIONS: '3',
    get SMTP_URL() {
      return smtp.url;
    },
  });

  it('sends several mails at once over at most SMTP_MAX_CONNECTIONS reused connections, one message per notification', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const { missionId, roleId } = await kit.mission(13, 17, { quota: MAILS });
    const emails: string[] = [];
    for (let i = 0; i < MAILS; i++) {
      const email = uniqueEmail(`crew${i}`);
      emails.push(email);
      await kit.invited(missionId, roleId, await kit.person(email));
    }
    const before = { opened: smtp.connections.opened, mails: smtp.mails.length };

    const round = await ctx.app.notifications.tick({ now: afterWindow() });

    expect(round).toMatchObject({ sent: MAILS, failed: 0, dead: 0 });
    // Concurrent: three messages in their DATA phase at the same moment, never more.
    expect(smtp.maxInFlight()).toBe(3);
    // Bounded and pooled: never more than three connections, each reused (not one connection per mail).
    expect(smtp.connections.maxOpen).toBeLessThanOrEqual(3);
    expect(smtp.connections.opened - before.opened).toBeLessThanOrEqual(3);
    // Exactly one message per notification, each with its own Message-ID.
    const received = smtp.mails.slice(before.mails);
    expect(received.map((m) => m.to).sort()).toEqual(emails.map((e) => e.toLowerCase()).sort());
    const listed = (await notificationsOf(ctx, org)).items;
    expect(listed).toHaveLength(MAILS);
    expect(listed.every((n) => n.state === 'sent' && n.attempts === 1)).toBe(true);
    expect(new Set(received.map((m) => m.messageId))).toEqual(new Set(listed.map((n) => n.message_id)));

    // A second round finds nothing left to send.
    expect(await ctx.app.notifications.tick({ now: afterWindow() })).toMatchObject({ sent: 0 });
    expect(smtp.mails.length - before.mails).toBe(MAILS);
  });
});
