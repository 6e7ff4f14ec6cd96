import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { staffingKit } from './fixtures.js';

/**
 * On PostgreSQL every event-writing transaction waits for the event lock from its `recordEvent` to its commit
 * (docs/events.md, "Ordering"): the answers' reads and checks come before it, so only the event, its
 * notification and the commit are under the lock.
 */
describe.each(DIALECTS)('the event lock of an assignment change on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  /** The statements of `request` from its event insert to the commit that follows it. */
  async function underTheLock(request: () => Promise<{ statusCode: number }>, status: number) {
    const statements: string[] = [];
    const stop = ctx.app.database.onQuery!((query) => statements.push(query.sql.trim().toLowerCase()));
    const res = await request();
    stop();
    expect(res.statusCode).toBe(status);
    const from = statements.findIndex((sql) => sql.startsWith('insert into "events"'));
    expect(from).toBeGreaterThanOrEqual(0);
    const to = statements.indexOf('commit', from);
    expect(to).toBeGreaterThan(from);
    return statements.slice(from + 1, to);
  }

  const expected = dialect === 'postgres' ? ["select pg_notify('crew_events', '')"] : [];

  it('invite, accept, decline and cancel read and check before they write their event', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16, { quota: 3 });
    const [first, second] = [await kit.user(), await kit.user()];
    let ids: string[] = [];
    const invited = await underTheLock(async () => {
      const res = await kit.invite(org.manager.headers, missionId, {
        invites: [
          { user_id: first, role_id: roleId },
          { user_id: second, role_id: roleId },
        ],
      });
      ids = res.json().items.map((a: { id: string }) => a.id);
      return res;
    }, 201);
    expect(invited).toEqual(expected);
    expect(ids).toHaveLength(2);
    const [accepted, declined] = ids as [string, string];
    expect(await underTheLock(() => kit.act(org.manager.headers, accepted, 'accept'), 200)).toEqual(expected);
    expect(
      await underTheLock(() => kit.act(org.manager.headers, declined, 'decline', { reason: 'On tour' }), 200),
    ).toEqual(expected);
    expect(
      await underTheLock(
        () => kit.act(org.manager.headers, accepted, 'cancel', { reason: 'Show moved' }),
        200,
      ),
    ).toEqual(expected);
  });
});
