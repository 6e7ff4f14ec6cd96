import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { newId } from '../../../src/platform/clock.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture, type OrgFixture } from '../../helpers/factories.js';
import { staffingKit } from '../assignments/fixtures.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver answering the statuses queued in `answers` (then 200), recording every request. */
async function receiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const state = { failing: false };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = state.failing ? 500 : (answers.shift() ?? 200);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, answers, state, close: () => new Promise((r) => server.close(r)) };
}

describe.each(DIALECTS)('webhooks (%s)', (dialect) => {
  const ctx = useTestApp(dialect, { WEBHOOK_ALLOW_PRIVATE: 'true' });
  let sink: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    sink = await receiver();
  });
  afterAll(() => sink?.close());

  const create = (org: OrgFixture, payload: object, headers = org.admin.headers) =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.orgId}/webhooks`, headers, payload });

  async function inviteSomeone(org: OrgFixture) {
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(50, 54);
    const res = await kit.invite(org.manager.headers, missionId, {
      user_id: await kit.user(),
      role_id: roleId,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  it('delivers signed events that verify with the reference library; retries after a 500', async () => {
    const org = await createOrgFixture(ctx.app);
    const created = await create(org, { url: sink.url, event_types: ['assignment.invited'] });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json();
    expect(hook).toMatchObject({ url: sink.url, event_types: ['assignment.invited'], enabled: true });
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toHaveLength(1);
    expect(JSON.stringify(listed.json())).not.toContain('whsec_');
    const techTry = await create(org, { url: sink.url, event_types: ['*'] }, org.manager.headers);
    expect(techTry.statusCode).toBe(403);

    const assignmentId = await inviteSomeone(org);
    sink.answers.push(500);
    const before = sink.received.length;
    const first = await ctx.app.webhooks.tick();
    expect(first).toMatchObject({ failed: 1, sent: 0 });
    const log = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks/${hook.id}/deliveries`,
      headers: org.admin.headers,
    });
    expect(log.statusCode).toBe(200);
    const [delivery] = log.json().items;
    expect(delivery).toMatchObject({
      event_type: 'assignment.invited',
      state: 'failed',
      attempts: 1,
      last_status: 500,
    });
    expect(delivery.last_latency_ms).toBeGreaterThanOrEqual(0);

    // Not before the first backoff (42 s)…
    expect(await ctx.app.webhooks.tick({ now: new Date(Date.now() + 30_000) })).toMatchObject({ sent: 0 });
    // …then a tick "later" sends it again, with the same webhook-id.
    const second = await ctx.app.webhooks.tick({ now: new Date(Date.now() + 43_000) });
    expect(second).toMatchObject({ sent: 1 });
    const attempts = sink.received.slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers['webhook-id']).toBe(attempts[1]!.headers['webhook-id']);
    const verified = new Webhook(hook.secret).verify(attempts[1]!.body, {
      'webhook-id': attempts[1]!.headers['webhook-id'] as string,
      'webhook-timestamp': attempts[1]!.headers['webhook-timestamp'] as string,
      'webhook-signature': attempts[1]!.headers['webhook-signature'] as string,
    }) as { type: string; data: { payload: { assignment_id: string } } };
    expect(verified.type).toBe('assignment.invited');
    expect(verified.data.payload.assignment_id).toBe(assignmentId);
    expect(() =>
      new Webhook(hook.secret).verify(attempts[1]!.body.replace('invited', 'accepted'), {
        'webhook-id': attempts[1]!.headers['webhook-id'] as string,
        'webhook-timestamp': attempts[1]!.headers['webhook-timestamp'] as string,
        'webhook-signature': attempts[1]!.headers['webhook-signature'] as string,
      }),
    ).toThrow();

    // Redeliver: queued again, sent again with the same id.
    const again = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`,
      headers: org.admin.headers,
    });
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await ctx.app.webhooks.tick()).toMatchObject({ sent: 1 });
    expect(sink.received.at(-1)!.headers['webhook-id']).toBe(delivery.id);
  });

  it('gives up after the last retry and disables the endpoint', async () => {
    const org = await createOrgFixture(ctx.app);
    const hook = (await create(org, { url: sink.url, event_types: ['*'] })).json();
    await inviteSomeone(org);
    let now = Date.now();
    sink.state.failing = true;
    for (let i = 0; i < 12; i += 1) {
      await ctx.app.webhooks.tick({ now: new Date(now) });
      now += 2 * 24 * 3600_000;
    }
    sink.state.failing = false;
    const log = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks/${hook.id}/deliveries`,
      headers: org.admin.headers,
    });
    for (const item of log.json().items) expect(item).toMatchObject({ state: 'dead', attempts: 12 });
    const listed = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
    });
    expect(listed.json().items[0]).toMatchObject({ enabled: false, disabled_reason: 'failing' });
  });
});

describe.each(DIALECTS)('webhook targets (%s)', (dialect) => {
  const ctx = useTestApp(dialect);

  it('re-checks the address after DNS at each delivery: a name that now resolves to loopback is refused', async () => {
    const org = await createOrgFixture(ctx.app);
    const sink = await receiver();
    // As if a public name had been saved and its DNS then pointed to 127.0.0.1 (rebinding).
    const hookId = newId();
    const now = new Date().toISOString();
    await ctx.app.database.db
      .insertInto('webhook_endpoints')
      .values({
        id: hookId,
        org_id: org.orgId,
        url: sink.url.replace('127.0.0.1', 'localhost'),
        event_types: JSON.stringify(['*']),
        enabled: true,
        secret_version: 1,
        consecutive_failures: 0,
        disabled_reason: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(60, 64);
    const invited = await kit.invite(org.manager.headers, missionId, {
      user_id: await kit.user(),
      role_id: roleId,
    });
    expect(invited.statusCode).toBe(201);
    expect(await ctx.app.webhooks.tick()).toMatchObject({ sent: 0, dead: 1 });
    expect(sink.received).toEqual([]);
    const log = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks/${hookId}/deliveries`,
      headers: org.admin.headers,
    });
    expect(log.json().items[0]).toMatchObject({ state: 'dead', last_status: null });
    expect(log.json().items[0].last_error).toMatch(/^refused: localhost resolves to a private address/);
    const listed = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
    });
    expect(listed.json().items[0]).toMatchObject({ enabled: false, disabled_reason: 'refused_target' });
    await sink.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://10.1.2.3/hook',
    'http://192.168.1.1/hook',
    'http://localhost:3000/hook',
  ])('refuses %s without WEBHOOK_ALLOW_PRIVATE', async (url) => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
      payload: { url, event_types: ['*'] },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed' });
    expect(res.json().detail ?? res.json().title).toMatch(/Refused webhook target|private/);
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('webhooks with two instances on one PostgreSQL', () => {
  const ctx = useTestApp('postgres', { WEBHOOK_ALLOW_PRIVATE: 'true' });
  let second: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    second = await buildApp(ctx.config);
    await second.ready();
  });
  afterAll(() => second?.close());

  it('each event is delivered once per endpoint while both dispatchers run at the same time', async () => {
    const org = await createOrgFixture(ctx.app);
    const sink = await receiver();
    const created = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/webhooks`,
      headers: org.admin.headers,
      payload: { url: sink.url, event_types: ['assignment.invited'] },
    });
    expect(created.statusCode).toBe(201);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(70, 74, { quota: 30 });
    for (let i = 0; i < 30; i += 1) {
      const res = await kit.invite(org.manager.headers, missionId, {
        user_id: await kit.user(),
        role_id: roleId,
      });
      expect(res.statusCode).toBe(201);
    }
    await Promise.all([
      ctx.app.webhooks.tick(),
      second.webhooks.tick(),
      ctx.app.webhooks.tick(),
      second.webhooks.tick(),
    ]);
    const ids = sink.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    await sink.close();
  });
});
