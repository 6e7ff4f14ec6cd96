import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../platform/auth/access.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { findOwnUserId } from '../users/users.repository.js';
import { type EventHub, latestEventId, oldestEventId } from './hub.js';
import { LiveStream } from './stream.js';
import type { Viewer } from './visibility.js';

export async function orgViewer(db: Db, scope: OrgScope): Promise<Viewer> {
  return {
    kind: 'org',
    orgId: scope.orgId,
    accountId: scope.accountId!,
    role: scope.role!,
    ownUserId: await findOwnUserId(db, scope),
  };
}

export async function accountViewer(db: Db, auth: AuthContext): Promise<Viewer> {
  const rows = await db.selectFrom('users').select('id').where('account_id', '=', auth.accountId).execute();
  return { kind: 'me', accountId: auth.accountId, userIds: new Set(rows.map((r) => r.id)) };
}

/** `Last-Event-ID` header, else `last_event_id` query; a malformed header is a 400, not a silent restart. */
export function resumeIdOf(request: FastifyRequest): number | null {
  const header = request.headers['last-event-id'];
  const { last_event_id: query } = request.query as { last_event_id?: string };
  const value = typeof header === 'string' && header !== '' ? header : query;
  if (value === undefined) return null;
  if (!/^[0-9]{1,15}$/.test(value)) {
    throw new AppError('validation_failed', 'Last-Event-ID must be an event id (digits)');
  }
  return Number(value);
}

/**
 * Opens the stream: from the resume point when it is still in the table, else from now with a `reset` first
 * (the client re-fetches). Takes the response over from Fastify: the connection stays open until the client
 * leaves, is dropped for being slow, loses its membership, or the app closes.
 */
export async function openStream(
  app: FastifyInstance,
  hub: EventHub,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  resumeFrom: number | null,
): Promise<void> {
  const { db } = app.database;
  await hub.start();
  const latest = Math.max(await latestEventId(db), hub.cursor);
  let cursor = resumeFrom ?? latest;
  let reset: string | null = null;
  if (resumeFrom !== null) {
    const oldest = await oldestEventId(db);
    if (resumeFrom > latest) reset = 'unknown_event_id';
    else if (oldest !== null ? resumeFrom < oldest - 1 : resumeFrom < latest) reset = 'beyond_retention';
    if (reset) cursor = latest;
  }
  reply.hijack();
  const headers = {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies (nginx) must pass events on at once.
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  };
  reply.raw.writeHead(200, headers);
  reply.raw.write('retry: 2000\n\n');
  const stream = new LiveStream(reply.raw, viewer, cursor, hub, app.config.eventStream);
  if (reset) stream.reset(reset);
  await stream.catchUp(db);
}
