import { describe, expect, it } from 'vitest';
import { createDispatcher, PRUNE_BATCH } from '../../../src/modules/notifications/dispatcher.js';
import { createWebhookDispatcher } from '../../../src/modules/webhooks/dispatcher.js';
import { newId } from '../../../src/platform/clock.js';
import type { NotificationState, WebhookDeliveryState } from '../../../src/platform/db/tables.js';
import { batchedChore } from '../../../src/platform/retention.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { notificationsOf } from './helpers.js';

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const FUTURE = new Date(Date.now() + 365 * DAY).toISOString();

describe('batchedChore', () => {
  it('runs one bounded batch per call while batches come back full, then waits', async () => {
    let backlog = 1200;
    const limits: number[] = [];
    const chore = batchedChore(
      async (limit) => {
        limits.push(limit);
        const done = Math.min(limit, backlog);
        backlog -= done;
        return done;
      },
      { batchSize: 500, everyMs: 3600_000 },
    );
    const t0 = 1_000_000;
    expect([await chore(t0), await chore(t0 + 1), await chore(t0 + 2), await chore(t0 + 3)]).toEqual([
      500, 500, 200, 0,
    ]);
    expect(limits).toEqual([500, 500, 500]); // the fourth call waits for the hour
    backlog = 10;
    expect(await chore(t0 + 2 + 3600_000)).toBe(10);
  });
});

/**
 * Retention (docs/events.md): sent notifications and webhook deliveries older than the configured days are
 * deleted by the dispatchers' rounds, in bounded batches; queued, failed and dead work is never deleted.
 */
describe.each(DIALECTS)('retention on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    NOTIFICATION_RETENTION_DAYS: '30',
    WEBHOOK_DELIVERY_RETENTION_DAYS: '7',
    WEBHOOK_ALLOW_PRIVATE: 'true', // a loopback endpoint: nothing here is due, nothing is sent
  });
  const deps = () => ({
    db: ctx.app.database.db,
    config: ctx.app.config,
    mailer: ctx.app.mailer,
    log: ctx.app.log,
  });

  async function notification(org: OrgFixture, state: NotificationState, at: string) {
    const id = newId();
    await ctx.app.database.db
      .insertInto('notifications')
      .values({
        id,
        org_id: org.orgId,
        kind: 'invitation',
        recipient_email: `${state}@crew.example`,
        user_id: null,
        account_id: null,
        assignment_id: null,
        event_id: null,
        coalesce_key: null,
        payload: '{}',
        state,
        attempts: state === 'queued' ? 0 : 1,
        due_at: state === 'sent' ? at : FUTURE, // nothing here is due: the round only prunes
        claimed_until: null,
        last_error: state === 'sent' ? null : 'smtp down',
        message_id: `<${id}@crew.example>`,
        sent_at: state === 'sent' ? at : null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    return id;
  }

  it('deletes notifications sent more than NOTIFICATION_RETENTION_DAYS ago, never queued, failed or dead ones', async () => {
    const org = await createOrgFixture(ctx.app);
    const kept = [
      await notification(org, 'sent', daysAgo(29)),
      await notification(org, 'queued', daysAgo(90)),
      await notification(org, 'failed', daysAgo(90)),
      await notification(org, 'dead', daysAgo(90)),
    ];
    await notification(org, 'sent', daysAgo(31));
    await notification(org, 'sent', daysAgo(400));
    expect((await notificationsOf(ctx, org)).items).toHaveLength(6);
    await createDispatcher(deps()).tick();
    const left = (await notificationsOf(ctx, org)).items;
    expect(left.map((n) => n.id).sort()).toEqual([...kept].sort());
    expect(left.map((n) => n.state).sort()).toEqual(['dead', 'failed', 'queued', 'sent']);
  });

  it('deletes a backlog in bounded batches, one per round', async () => {
    const org = await createOrgFixture(ctx.app);
    const rows = Array.from({ length: PRUNE_BATCH + 20 }, () => newId());
    const at = daysAgo(60);
    for (let i = 0; i < rows.length; i += 100) {
      await ctx.app.database.db
        .insertInto('notifications')
        .values(
          rows.slice(i, i + 100).map((id) => ({
            id,
            org_id: org.orgId,
            kind: 'invitation' as const,
            recipient_email: 'old@crew.example',
            user_id: null,
            account_id: null,
            assignment_id: null,
            event_id: null,
            coalesce_key: null,
            payload: '{}',
            state: 'sent' as const,
            attempts: 1,
            due_at: at,
            claimed_until: null,
            last_error: null,
            message_id: `<${id}@crew.example>`,
            sent_at: at,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
    }
    const count = async () =>
      Number(
        (
          await ctx.app.database.db
            .selectFrom('notifications')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', org.orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const dispatcher = createDispatcher(deps());
    await dispatcher.tick();
    const afterOne = await count();
    expect(afterOne).toBeGreaterThan(0); // at most one batch in a round
    expect(afterOne).toBeLessThanOrEqual(20);
    await dispatcher.tick(); // the batch came back full: the next round goes on
    expect(await count()).toBe(0);
  });

  it('deletes webhook deliveries sent more than WEBHOOK_DELIVERY_RETENTION_DAYS ago, never the others', async () => {
    const org = await createOrgFixture(ctx.app);
    const created = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
      payload: { url: 'http://127.0.0.1:9/crew', event_types: ['assignment.invited'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const endpointId = created.json().id as string;
    let eventId = 1;
    const delivery = async (state: WebhookDeliveryState, at: string) => {
      const id = newId();
      await ctx.app.database.db
        .insertInto('webhook_deliveries')
        .values({
          id,
          org_id: org.orgId,
          endpoint_id: endpointId,
          event_id: eventId++,
          event_type: 'assignment.invited',
          body: '{}',
          state,
          attempts: state === 'queued' ? 0 : 1,
          due_at: state === 'sent' ? at : FUTURE,
          claimed_until: null,
          last_status: state === 'sent' ? 204 : 500,
          last_latency_ms: 12,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      return id;
    };
    const kept = [
      await delivery('sent', daysAgo(6)),
      await delivery('queued', daysAgo(90)),
      await delivery('failed', daysAgo(90)),
      await delivery('dead', daysAgo(90)),
    ];
    await delivery('sent', daysAgo(8));
    await delivery('sent', daysAgo(200));
    const list = async () => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${org.orgId}/webhooks/${endpointId}/deliveries`,
        headers: org.admin.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items as { id: string; state: string }[];
    };
    expect(await list()).toHaveLength(6);
    await createWebhookDispatcher(deps()).tick();
    const left = await list();
    expect(left.map((d) => d.id).sort()).toEqual([...kept].sort());
    expect(left.map((d) => d.state).sort()).toEqual(['dead', 'failed', 'queued', 'sent']);
  });

  it('refuses a retention that is not a whole number of days from 1 to 3650', async () => {
    const { loadConfig, ConfigError } = await import('../../../src/config.js');
    const base = { REALISONS_SECRET_KEY: 'a'.repeat(64), DATABASE_URL: 'sqlite:///:memory:' };
    expect(() => loadConfig({ ...base, NOTIFICATION_RETENTION_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, WEBHOOK_DELIVERY_RETENTION_DAYS: '1.5' })).toThrow(
      /WEBHOOK_DELIVERY_RETENTION_DAYS must be an integer from 1 to 3650/,
    );
    expect(loadConfig(base).retention).toEqual({
      sentNotificationsMs: 30 * DAY,
      sentWebhookDeliveriesMs: 30 * DAY,
    });
  });
});
