import { recordAudit, type Actor } from '../../platform/audit.js';
import { trustedOrgId, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { hasRole } from '../../platform/auth/roles.js';
import { hashToken, randomToken } from '../../platform/auth/secrets.js';
import { DAY, isoNow, newId } from '../../platform/clock.js';
import { asBool, type Db } from '../../platform/db/database.js';
import { notFound } from '../../platform/errors.js';
import { findMembership } from '../orgs/orgs.repository.js';
import { findProject } from '../projects/projects.repository.js';
import { assignmentEntry } from './entries.js';
import {
  accountFeedVersion,
  findFeedByHash,
  findLiveFeed,
  insertFeed,
  listAccountFeedRows,
  listProjectFeedRows,
  revokeLiveFeeds,
} from './feeds.repository.js';
import { etagOf, renderIcs, type CalendarEntry } from './ics.js';

/** Declined and cancelled work stays in the feed this long, as STATUS:CANCELLED, so calendars remove it. */
export const ENDED_KEPT_MS = 30 * DAY;
/** How far back a feed reaches: calendars keep what they already have; a feed need not carry years of work. */
export const FEED_HISTORY_MS = 90 * DAY;

export interface FeedStatus {
  active: boolean;
  created_at: string | null;
}

export interface CreatedFeed {
  url: string;
  created_at: string;
}

export const feedUrl = (publicBaseUrl: string, token: string) =>
  `${publicBaseUrl}/api/v1/calendar/${token}.ics`;

/** Makes a new secret URL, revoking the previous one of the same feed (rotation); the token is shown once. */
async function createFeed(
  db: Db,
  actor: Actor & { accountId: string },
  publicBaseUrl: string,
  target: { orgId: OrgId | null; projectId: string | null },
): Promise<CreatedFeed> {
  const token = randomToken();
  const now = isoNow();
  await db.transaction().execute(async (tx) => {
    const revoked = await revokeLiveFeeds(tx, actor.accountId, target.projectId, now);
    const id = newId();
    await insertFeed(tx, {
      id,
      account_id: actor.accountId,
      org_id: target.orgId,
      project_id: target.projectId,
      token_hash: hashToken(token),
      created_at: now,
      revoked_at: null,
    });
    await recordAudit(tx, actor, {
      orgId: target.orgId,
      action: revoked > 0 ? 'calendar_feed.rotate' : 'calendar_feed.create',
      entityType: 'calendar_feed',
      entityId: id,
      after: { project_id: target.projectId, revoked_feeds: revoked },
    });
  });
  return { url: feedUrl(publicBaseUrl, token), created_at: now };
}

async function revokeFeed(
  db: Db,
  actor: Actor & { accountId: string },
  orgId: OrgId | null,
  projectId: string | null,
) {
  await db.transaction().execute(async (tx) => {
    const live = await findLiveFeed(tx, actor.accountId, projectId);
    if (!live) return;
    await revokeLiveFeeds(tx, actor.accountId, projectId, isoNow());
    await recordAudit(tx, actor, {
      orgId,
      action: 'calendar_feed.revoke',
      entityType: 'calendar_feed',
      entityId: live.id,
      after: { project_id: projectId },
    });
  });
}

async function statusOf(db: Db, accountId: string, projectId: string | null): Promise<FeedStatus> {
  const live = await findLiveFeed(db, accountId, projectId);
  return { active: live !== undefined, created_at: live?.created_at ?? null };
}

export const myFeedStatus = (db: Db, accountId: string) => statusOf(db, accountId, null);
export const createMyFeed = (db: Db, actor: Actor & { accountId: string }, publicBaseUrl: string) =>
  createFeed(db, actor, publicBaseUrl, { orgId: null, projectId: null });
export const revokeMyFeed = (db: Db, actor: Actor & { accountId: string }) =>
  revokeFeed(db, actor, null, null);

async function assertProject(db: Db, scope: OrgScope, projectId: string): Promise<void> {
  if (!(await findProject(db, scope.orgId, projectId))) throw notFound('Project');
}

/** A manager's feed of one project: the caller's own URL, which stops working if they lose the role. */
export async function createProjectFeed(
  db: Db,
  scope: OrgScope & { accountId: string },
  projectId: string,
  publicBaseUrl: string,
) {
  await assertProject(db, scope, projectId);
  return createFeed(db, scope, publicBaseUrl, { orgId: scope.orgId, projectId });
}

export async function revokeProjectFeed(db: Db, scope: OrgScope & { accountId: string }, projectId: string) {
  await assertProject(db, scope, projectId);
  await revokeFeed(db, scope, scope.orgId, projectId);
}

export async function projectFeedStatus(db: Db, scope: OrgScope & { accountId: string }, projectId: string) {
  await assertProject(db, scope, projectId);
  return statusOf(db, scope.accountId, projectId);
}

export interface LoadedFeed {
  /** a validator of what the document is made of: a poll that changed nothing is answered without rendering */
  etag: string;
  render: () => Promise<string>;
}

/** Bump when the rendering changes, so that calendars holding an old ETag get the new document. */
const RENDERING_VERSION = 1;
const ACCOUNT_FEED_NAME = 'Coulisses Crew';

/**
 * The document behind a feed URL, or null for an unknown or revoked token, an inactive account, or a project
 * feed whose owner is no longer a manager of the org (the URL dies with the role).
 */
export async function loadFeed(db: Db, token: string, now = Date.now()): Promise<LoadedFeed | null> {
  const feed = await findFeedByHash(db, hashToken(token));
  if (!feed || !asBool(feed.active)) return null;
  const historyStart = new Date(now - FEED_HISTORY_MS).toISOString();
  if (feed.project_id === null) {
    // The ETag comes from one aggregate row (accountFeedVersion): a poll that changed nothing loads no assignment.
    const endedSince = new Date(now - ENDED_KEPT_MS).toISOString();
    const version = await accountFeedVersion(db, feed.account_id, endedSince, historyStart);
    const etag = etagOf(JSON.stringify([RENDERING_VERSION, 'account', Object.values(version)]));
    return {
      etag,
      render: () =>
        renderedOnce(feed.id, etag, async () => {
          const rows = await listAccountFeedRows(db, feed.account_id, endedSince, historyStart);
          return renderIcs(ACCOUNT_FEED_NAME, rows.map(assignmentEntry));
        }),
    };
  }
  const orgId = trustedOrgId(feed.org_id!);
  const membership = await findMembership(db, orgId, feed.account_id);
  if (!membership || !hasRole(membership.role, 'manager')) return null;
  const rows = await listProjectFeedRows(db, orgId, feed.project_id, historyStart);
  const entries = missionEntries(rows);
  const name = rows[0]?.project_name ?? ACCOUNT_FEED_NAME;
  // A project feed shows its roles' staffing, which no mission stamp follows: its ETag hashes the entries.
  const etag = etagOf(JSON.stringify([RENDERING_VERSION, name, entries]));
  return { etag, render: () => renderedOnce(feed.id, etag, () => renderIcs(name, entries)) };
}

/**
 * The last document of each recently polled feed, by ETag: many calendar apps poll without `If-None-Match`, and
 * an unchanged feed then costs its query and hash only. Per process, bounded; a changed feed has a new ETag.
 */
const RENDERED_KEPT = 100;
const rendered = new Map<string, { etag: string; body: string }>();

async function renderedOnce(feedId: string, etag: string, render: () => Promise<string>): Promise<string> {
  const kept = rendered.get(feedId);
  rendered.delete(feedId);
  const body = kept?.etag === etag ? kept.body : await render();
  rendered.set(feedId, { etag, body });
  if (rendered.size > RENDERED_KEPT) rendered.delete(rendered.keys().next().value!);
  return body;
}

type ProjectRow = Awaited<ReturnType<typeof listProjectFeedRows>>[number];

/** One event per mission (rows come one per role, in mission order), its staffing in the description. */
function missionEntries(rows: ProjectRow[]): CalendarEntry[] {
  const entries: CalendarEntry[] = [];
  let current: { entry: CalendarEntry; roles: string[]; notes: string | null } | undefined;
  const flush = () => {
    if (!current) return;
    current.entry.description = [current.roles.join('\n'), current.notes].filter(Boolean).join('\n\n');
    entries.push(current.entry);
  };
  for (const row of rows) {
    if (current?.entry.uid !== row.id) {
      flush();
      current = {
        entry: {
          uid: row.id,
          startsAt: row.starts_at,
          endsAt: row.ends_at,
          summary: row.title,
          description: '',
          location: row.location,
          status: 'CONFIRMED',
          updatedAt: row.updated_at,
        },
        roles: [],
        notes: row.notes,
      };
    }
    if (row.role_name !== null) current.roles.push(`${row.role_name}: ${row.accepted_count}/${row.quota}`);
  }
  flush();
  return entries;
}
