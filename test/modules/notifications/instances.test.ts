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

  it('an event that cannot be planned is stepped over after five rounds, and the ones after it still go out', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = crewKit(ctx, org);
    const email = uniqueEmail('afterpoison');
    const m = await kit.mission(220, 224);
    // a payload no service writes: its id is no uuid, so PostgreSQL refuses the planner's query
    await ctx.app.database.db
      .insertInto('events')
      .values({
        org_id: org.orgId,
        type: 'assignment.invited',
        entity_type: 'assignment',
        entity_id: 'x',
        subjects: '{}',
        payload: JSON.stringify({ assignment_id: 'not-a-uuid' }),
        actor_account_id: null,
        request_id: null,
        created_at: new Date().toISOString(),
      })
      .execute();
    await kit.invited(m.missionId, m.roleId, await kit.person(email));
    const dispatcher = createDispatcher(
      { db: ctx.app.database.db, config: ctx.app.config, mailer: ctx.app.mailer, log: ctx.app.log },
      {},
    );
    for (let round = 1; round < 5; round++) {
      await expect(dispatcher.tick({ now: afterWindow() })).rejects.toThrow(/uuid/);
    }
    await dispatcher.tick({ now: afterWindow() }); // fifth failure: stepped over
    await dispatcher.tick({ now: afterWindow() });
    const [mail] = await smtp.waitForMails(email);
    expect(mail!.subject).toMatch(/^Invitation : /);
  });

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
    const instances = [ctx.app, second, ctx.app, second].map(dispatcherOf);
    // Round 1, all at once: planning (the window is still open, nothing is due yet).
    const planning = await Promise.all(instances.map((d) => d.tick({ now: new Date() })));
    expect(planning.reduce((n, r) => n + r.planned, 0)).toBe(people); // each event planned by one instance
    expect(planning.reduce((n, r) => n + r.sent, 0)).toBe(0);
    // Round 2, all at once: sending.
    const now = afterWindow();
    const rounds = await Promise.all(instances.map((d) => d.tick({ now })));
    const sent = rounds.reduce((n, r) => n + r.sent, 0);
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
