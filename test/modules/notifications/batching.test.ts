import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, uniqueEmail, type OrgFixture } from '../../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp.js';
import { crewKit } from './helpers.js';

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

describe.each(DIALECTS)('the dispatcher works set-wise on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    PUBLIC_BASE_URL: 'https://crew.example.com',
    get SMTP_URL() {
      return smtp.url;
    },
  });

  /** The statements of one round. */
  async function queriesOf(round: () => Promise<unknown>) {
    let count = 0;
    const stop = ctx.app.database.onQuery!(() => count++);
    try {
      await round();
    } finally {
      stop();
    }
    return count;
  }

  /** `pairs` people invited by the manager, each accepted by the owner (so each answer mails the manager). */
  async function inviteAndAccept(org: OrgFixture, pairs: number) {
    const kit = crewKit(ctx, org);
    for (let i = 0; i < pairs; i++) {
      const { missionId, roleId } = await kit.mission(100 + i * 24, 104 + i * 24, { title: `Show ${i}` });
      const id = await kit.invited(missionId, roleId, await kit.person(uniqueEmail('crew')));
      expect((await kit.act(org.owner.headers, id, 'accept')).statusCode).toBe(200);
    }
  }

  it('plans and sends a round of answers in as many statements for 3 pairs as for 9; an idle round is one query', async () => {
    const org = await createOrgFixture(ctx.app);
    const settings = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/notification-settings`,
      headers: org.admin.headers,
      payload: { coalesce_seconds: 0 },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    await ctx.app.notifications.tick(); // the first round's chores (DPAE scan, retention) are behind us

    await inviteAndAccept(org, 3);
    let round = await ctx.app.notifications.tick();
    const few = await queriesOf(async () => {
      round = await ctx.app.notifications.tick();
    });
    expect(round).toMatchObject({ planned: 0, sent: 0 }); // the round above did the work: count a fresh one
    await inviteAndAccept(org, 3);
    const three = await queriesOf(async () => {
      round = await ctx.app.notifications.tick();
    });
    expect(round).toMatchObject({ planned: 6, sent: 3, failed: 0 });
    await inviteAndAccept(org, 9);
    const nine = await queriesOf(async () => {
      round = await ctx.app.notifications.tick();
    });
    expect(round).toMatchObject({ planned: 18, sent: 9, failed: 0 });
    // Planning reads the batch's facts, accounts and settings at once and writes its rows in one statement per
    // table; sending reads the claimed batch's facts at once and marks it in one UPDATE.
    expect(nine).toBe(three);
    expect(few).toBe(1);

    const answers = await smtp.waitForMails(org.manager.email, 15);
    expect(answers).toHaveLength(15);
    // each acceptance queued its reminder, once
    const reminders = await ctx.app.database.db
      .selectFrom('notifications')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('org_id', '=', org.orgId)
      .where('kind', '=', 'reminder')
      .where('state', '=', 'queued')
      .executeTakeFirstOrThrow();
    expect(Number(reminders.n)).toBe(15);
  });
});
