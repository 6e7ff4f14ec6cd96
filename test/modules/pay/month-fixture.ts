import type { FastifyInstance } from 'fastify';
import { createOrgFixture } from '../../helpers/factories.js';
import { payKit } from './fixtures.js';

const Z = (local: string) => `${local}.000Z`;

/**
 * A month the numbers of which are worked out by hand (docs/hours-and-pay.md has the same example):
 * an hourly rigger (20.00/h; night +25 %, Sunday +50 %, holiday +100 %, overtime +25 % beyond 35 h a week) and
 * a musician paid per cachet (150.00).
 */
export async function month(ctx: { app: FastifyInstance }) {
  const org = await createOrgFixture(ctx.app);
  const kit = payKit(ctx.app, org);
  const rigger = await kit.user({ accountId: org.tech.accountId, first: 'Alex', last: 'Rigger' });
  const musician = await kit.user({ first: 'Billie', last: 'Musician' });
  const hourly = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
    name: 'Rigger',
    basis: 'HOURLY',
    base_amount_cents: 2000,
    night_premium_pct: 25,
    sunday_premium_pct: 50,
    holiday_premium_pct: 100,
    overtime_premium_pct: 25,
    overtime_weekly_threshold_minutes: 35 * 60,
  });
  const cachet = await kit.send(org.admin.headers, 'POST', '/rate-profiles', {
    name: 'Cachet',
    basis: 'CACHET',
    base_amount_cents: 15000,
  });
  await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
    profile_id: hourly.json().id,
    user_id: rigger,
  });
  await kit.send(org.admin.headers, 'POST', '/rate-bindings', {
    profile_id: cachet.json().id,
    role_name: 'Musician',
  });

  // Week of Monday 3 March 2031 (CET): four days 09:00–17:00, a Friday night 20:00–04:00, Sunday 10:00–14:00.
  for (const day of ['03', '04', '05', '06']) {
    const { assignmentId } = await kit.engagement(
      rigger,
      Z(`2031-03-${day}T08:00:00`),
      Z(`2031-03-${day}T16:00:00`),
    );
    await kit.approve(assignmentId);
  }
  const friday = await kit.engagement(rigger, Z('2031-03-07T19:00:00'), Z('2031-03-08T03:00:00'));
  await kit.approve(friday.assignmentId);
  const sunday = await kit.engagement(rigger, Z('2031-03-09T09:00:00'), Z('2031-03-09T13:00:00'));
  await kit.approve(sunday.assignmentId);
  // planned but not entered, on another project: planned hours only
  const other = payKit(ctx.app, org);
  await other.engagement(rigger, Z('2031-03-20T08:00:00'), Z('2031-03-20T12:00:00'));
  // 14 July (public holiday), 10:00–18:00 CEST
  const bastille = await kit.engagement(rigger, Z('2031-07-14T08:00:00'), Z('2031-07-14T16:00:00'));
  await kit.approve(bastille.assignmentId);
  // the musician: one engagement paid 2 cachets
  const gig = await kit.engagement(musician, Z('2031-03-08T19:00:00'), Z('2031-03-08T22:00:00'), {
    role: 'Musician',
  });
  await kit.approve(gig.assignmentId, { pay_basis: 'CACHET', cachets: 2 });
  return { org, kit, rigger, musician };
}
