import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, uniqueEmail } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { afterWindow, crewKit, notificationsOf } from './helpers.js';

/** This process's threads by id, with their niceness (Linux `/proc/self/task/<tid>/stat`, field 19). */
function threadNiceness(): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    threads.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return threads;
}

// A relay that takes 150 ms to answer each message, so the sends of one round overlap.
const DELAY_MS = 150;
const MAILS = 12;

let smtp: SmtpSink;
// A relay that accepts connections and never says a word.
let silent: Server;
const silentSockets = new Set<Socket>();
beforeAll(async () => {
  smtp = await startSmtpSink({ delayMs: DELAY_MS });
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await smtp.close();
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

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

  it.runIf(process.platform === 'linux')(
    'sends from a thread below the requests’ priority (niceness 10), the event loop’s own thread untouched',
    async () => {
      const org = await createOrgFixture(ctx.app);
      const kit = crewKit(ctx, org);
      const { missionId, roleId } = await kit.mission(13, 17);
      const email = uniqueEmail('nice');
      await kit.invited(missionId, roleId, await kit.person(email));
      expect(await ctx.app.notifications.tick({ now: afterWindow() })).toMatchObject({ sent: 1, failed: 0 });
      expect(smtp.mailsTo(email)).toHaveLength(1);
      const niceness = threadNiceness();
      expect(niceness.get(process.pid)).toBe(0);
      expect([...niceness.values()]).toContain(10);
    },
  );

  it('without a coalescing window, each invitation is its own message at once; a settings change shows from the next round', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const patch = async (body: object) => {
      const res = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/v1/orgs/${org.orgId}/notification-settings`,
        headers: org.admin.headers,
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect(await patch({ coalesce_seconds: 0, language: 'en' })).toMatchObject({ coalesce_seconds: 0 });
    const email = uniqueEmail('solo');
    const userId = await kit.person(email);
    const first = await kit.mission(9, 12, { title: 'Load-in' });
    const second = await kit.mission(14, 18, { title: 'Show' });
    await kit.invited(first.missionId, first.roleId, userId);
    await kit.invited(second.missionId, second.roleId, userId);

    // Due now, not after a window: sent by a round at the current time, one message per invitation.
    expect(await ctx.app.notifications.tick()).toMatchObject({ sent: 2 });
    const mails = await smtp.waitForMails(email, 2);
    expect(mails.map((m) => m.subject).sort()).toEqual([
      expect.stringMatching(/^Invitation: Load-in/),
      expect.stringMatching(/^Invitation: Show/),
    ]);

    // The language switched between rounds: the next round's mail is in French.
    expect(await patch({ language: 'fr' })).toMatchObject({ language: 'fr' });
    const third = await kit.mission(19, 23, { title: 'Get-out' });
    await kit.invited(third.missionId, third.roleId, userId);
    expect(await ctx.app.notifications.tick()).toMatchObject({ sent: 1 });
    const [, , last] = await smtp.waitForMails(email, 3);
    expect(last!.subject).toMatch(/^Invitation : Get-out/);
  });
});

describe.each(DIALECTS)('a relay that does not answer, on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    SMTP_TIMEOUT_MS: '300',
    get SMTP_URL() {
      return `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    },
  });

  it('fails the send after SMTP_TIMEOUT_MS, and the notification waits for its retry', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const { missionId, roleId } = await kit.mission(13, 17);
    await kit.invited(missionId, roleId, await kit.person(uniqueEmail('mute')));

    const started = Date.now();
    expect(await ctx.app.notifications.tick({ now: afterWindow() })).toMatchObject({ sent: 0, failed: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
    const [listed] = (await notificationsOf(ctx, org, '?state=failed')).items;
    expect(listed).toMatchObject({ kind: 'invitation', state: 'failed', attempts: 1 });
  });
});
