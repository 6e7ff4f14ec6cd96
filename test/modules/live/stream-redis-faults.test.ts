import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { REDIS_URL, redisAnswers } from '../../helpers/redis.js';
import { listening, openSse, type SseEvent } from '../../helpers/sse.js';
import { staffingKit } from '../assignments/fixtures.js';

type Wire = { id: number; type: string; payload: Record<string, unknown> };
const data = (e: SseEvent) => e.data as Wire;
const isInvite = (assignmentId: string) => (e: SseEvent) =>
  e.event === 'assignment.invited' && data(e).payload.assignment_id === assignmentId;
const invitedOf = (assignmentId: string) => (events: SseEvent[]) => events.some(isInvite(assignmentId));

const redisReachable = await redisAnswers();
const target = new URL(REDIS_URL);
// Started before the apps, so their Redis clients (and the subscriber they duplicate) all go through it.
const proxy: FaultProxy | null =
  redisReachable && DIALECTS.includes('postgres')
    ? await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) })
    : null;

// docs/reliability.md: whatever uses Redis keeps working without it. For the event stream that means a lost
// pub/sub link is noticed and the hub reads the events table on its one-second poll until Redis is back.
describe.skipIf(proxy === null)('live event stream across instances while Redis is down', () => {
  const ctx = useTestApp('postgres', { REDIS_URL: proxy?.via(REDIS_URL) ?? REDIS_URL });
  let second: FastifyInstance;
  beforeAll(async () => {
    second = await buildApp(ctx.config);
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await proxy?.close();
  });

  it('a change on instance A still reaches a stream on instance B by polling, and after Redis returns', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const stream = await openSse(
      await listening(second),
      `/api/v1/orgs/${org.orgId}/events`,
      org.admin.headers,
    );
    expect(stream.status).toBe(200);

    const inviteOne = async (startHour: number) => {
      const { missionId, roleId } = await kit.mission(startHour, startHour + 4);
      const userId = await kit.user();
      const res = await kit.invite(org.manager.headers, missionId, { user_id: userId, role_id: roleId });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };

    proxy!.cut();
    const duringOutage = await inviteOne(40);
    const outageStarted = Date.now();
    const seen = (await stream.waitFor(invitedOf(duringOutage), 3000)).find(isInvite(duringOutage));
    // The poll runs every second; a lost subscription is no excuse to wait longer than a couple of them.
    expect(Date.now() - outageStarted).toBeLessThan(3000);
    expect(data(seen!).payload).toMatchObject({ assignment_id: duringOutage });

    proxy!.restore();
    // ioredis reconnects with its backoff; the stream goes on once both links are back.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(second.redisLink?.usable() && ctx.app.redisLink?.usable())) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(second.redisLink?.usable()).toBe(true);
    const afterOutage = await inviteOne(60);
    const again = (await stream.waitFor(invitedOf(afterOutage), 3000)).find(isInvite(afterOutage));
    expect(data(again!).payload).toMatchObject({ assignment_id: afterOutage });
    stream.close();
  }, 20_000);
});
