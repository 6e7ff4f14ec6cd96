import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { createDispatcher } from '../../../src/modules/notifications/dispatcher.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, uniqueEmail } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { afterWindow, crewKit } from './helpers.js';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

// SQLite is one process by design; several instances share a PostgreSQL database.
describe.skipIf(!DIALECTS.includes('postgres'))('two app instances on one PostgreSQL database', () => {
  const ctx = useTestApp('postgres', {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    get SMTP_URL() {
      return smtp.url;
    },
  });
  let second: FastifyInstance;
  beforeAll(async () => {
    // Its own pool on the same database, as a second server process would have.
    second = await buildApp(ctx.config);
    await second.ready();
  });
  afterAll(() => second?.close());

  it('each notification is planned once and sent once while both dispatchers run at the same time', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const people = 40;
    const emails = Array.from({ length: people }, (_, i) => uniqueEmail(`twin${i}`));
    const { missionId, roleId } = await kit.mission(200, 204, { quota: people });
    for (const email of emails) await kit.invited(missionId, roleId, await kit.person(email));

    // Small batches, so that both instances are claiming while the other one sends.
    const dispatcherOf = (app: FastifyInstance) =>
      createDispatcher(
        { db: app.database.db, config: app.config, mailer: app.mailer, log: app.log },
        { batchSize: 4, concurrency: 2 },
      );
    const now = afterWindow();
    const rounds = await Promise.all(
      [ctx.app, second, ctx.app, second].map((app) => dispatcherOf(app).tick({ now })),
    );
    const planned = rounds.reduce((n, r) => n + r.planned, 0);
    const sent = rounds.reduce((n, r) => n + r.sent, 0);
    expect(planned).toBeGreaterThanOrEqual(people); // the invited events (and nothing twice: see the rows)
    expect(sent).toBe(people);
    // both instances did part of the work
    expect(rounds.filter((r) => r.sent > 0).length).toBeGreaterThan(1);

    const rows = await ctx.app.database.db
      .selectFrom('notifications')
      .select(['recipient_email', 'state', 'message_id'])
      .where('org_id', '=', org.orgId)
      .execute();
    expect(rows).toHaveLength(people);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    for (const email of emails) await smtp.waitForMails(email);
    const received = emails.flatMap((email) => smtp.mailsTo(email));
    expect(received).toHaveLength(people);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(people);
    expect(new Set(received.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
  });
});
