import { recordAudit } from '../../platform/audit.js';
import { recordEvent } from '../../platform/events.js';
import { linkScope, trustedOrgId, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { hashToken, randomToken } from '../../platform/auth/secrets.js';
import { DAY, isoNow, newId } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import { AppError, notFound } from '../../platform/errors.js';
import { acceptAssignment, declineAssignment } from '../assignments/assignments.service.js';
import {
  findLinkTarget,
  findLiveLink,
  findPublicView,
  insertLink,
  revokeLiveLinks,
  toPublicView,
  type PublicView,
} from './links.repository.js';

/** A link lives 7 days at most, and never past the mission's start. */
export const LINK_TTL_MS = 7 * DAY;

export interface LinkDeps {
  db: Db;
  /** PUBLIC_BASE_URL: where the web app serves `/invitations/<token>` and calls this API from that page */
  publicBaseUrl: string;
}

export interface CreatedLink {
  url: string;
  expires_at: string;
  token: string;
}

/**
 * Makes the signed link of an INVITED or ACCEPTED assignment, revoking the previous live ones (one live link per
 * assignment, under the assignment's row lock). The token is returned once and stored only as its hash.
 */
export async function createLink(
  deps: LinkDeps,
  scope: OrgScope,
  assignmentId: string,
): Promise<CreatedLink> {
  const { orgId } = scope;
  const token = randomToken();
  const expiresAt = await deps.db.transaction().execute(async (tx) => {
    const target = await findLinkTarget(tx, orgId, assignmentId);
    if (!target) throw notFound('Assignment');
    if (target.project_status === 'ARCHIVED') {
      throw new AppError(
        'project_archived',
        'The mission belongs to an archived project, which is read-only',
      );
    }
    await lockRow(tx, 'assignments', assignmentId);
    const { status } = (await findLinkTarget(tx, orgId, assignmentId))!;
    if (status !== 'INVITED' && status !== 'ACCEPTED') {
      throw new AppError('invalid_transition', `Cannot make a link for an assignment that is ${status}`, {
        assignment_status: status,
      });
    }
    const now = isoNow();
    if (target.starts_at <= now) {
      throw new AppError('mission_started', 'The mission has already started: a link would be of no use');
    }
    const ttlEnd = new Date(Date.parse(now) + LINK_TTL_MS).toISOString();
    const expires = ttlEnd < target.starts_at ? ttlEnd : target.starts_at;
    const revoked = await revokeLiveLinks(tx, orgId, assignmentId, now);
    const id = newId();
    await insertLink(tx, {
      id,
      org_id: orgId,
      assignment_id: assignmentId,
      token_hash: hashToken(token),
      created_by: scope.accountId,
      created_at: now,
      expires_at: expires,
      revoked_at: null,
    });
    await recordAudit(tx, scope, {
      orgId,
      action: 'assignment.link_create',
      entityType: 'assignment',
      entityId: assignmentId,
      after: { link_id: id, expires_at: expires, revoked_links: revoked },
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'link.created',
      entityType: 'assignment',
      entityId: assignmentId,
      subjects: {},
      payload: { assignment_id: assignmentId, link_id: id, expires_at: expires, revoked_links: revoked },
    });
    return expires;
  });
  return { url: `${deps.publicBaseUrl}/invitations/${token}`, expires_at: expiresAt, token };
}

/** Revokes every live link of the assignment; an audit row is written only when one was live. */
export async function revokeLinks(db: Db, scope: OrgScope, assignmentId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    if (!(await findLinkTarget(tx, orgId, assignmentId))) throw notFound('Assignment');
    await lockRow(tx, 'assignments', assignmentId);
    const revoked = await revokeLiveLinks(tx, orgId, assignmentId, isoNow());
    if (revoked === 0) return;
    await recordAudit(tx, scope, {
      orgId,
      action: 'assignment.link_revoke',
      entityType: 'assignment',
      entityId: assignmentId,
      after: { revoked_links: revoked },
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'link.revoked',
      entityType: 'assignment',
      entityId: assignmentId,
      subjects: {},
      payload: { assignment_id: assignmentId, revoked_links: revoked },
    });
  });
}

interface LiveLink {
  org_id: OrgId;
  assignment_id: string;
  expires_at: string;
}

/** Unknown, tampered, expired and revoked tokens all answer the same 404: nobody learns which. */
async function liveLink(db: Executor, token: string): Promise<LiveLink> {
  const link = await findLiveLink(db, hashToken(token), isoNow());
  if (!link) throw notFound('Invitation');
  // A live link's row vouches for its org.
  return { ...link, org_id: trustedOrgId(link.org_id) };
}

async function viewOf(db: Executor, link: LiveLink): Promise<PublicView> {
  const row = await findPublicView(db, link.org_id, link.assignment_id);
  if (!row) throw notFound('Invitation');
  return toPublicView(row, link.expires_at);
}

export async function viewByToken(db: Db, token: string): Promise<PublicView> {
  return viewOf(db, await liveLink(db, token));
}

/**
 * Runs the app's transition for the link's assignment. When the assignment is already in the wanted state
 * (a second tap, or a concurrent one that won), the answer is the same view and nothing is written.
 */
async function respond(
  db: Db,
  requestId: string,
  token: string,
  wanted: 'ACCEPTED' | 'DECLINED',
  run: (holder: OrgScope, link: LiveLink) => Promise<unknown>,
): Promise<PublicView> {
  const link = await liveLink(db, token);
  const before = await viewOf(db, link);
  if (before.status === wanted) return before;
  try {
    // The holder of a link answers for that one assignment, with no account.
    await run(linkScope(link.org_id, requestId), link);
  } catch (error) {
    const alreadyThere =
      error instanceof AppError &&
      error.code === 'invalid_transition' &&
      (await viewOf(db, link)).status === wanted;
    if (!alreadyThere) throw error;
  }
  return viewOf(db, link);
}

export function acceptByToken(db: Db, requestId: string, token: string): Promise<PublicView> {
  return respond(db, requestId, token, 'ACCEPTED', (holder, link) =>
    acceptAssignment(db, holder, link.assignment_id),
  );
}

export function declineByToken(
  db: Db,
  requestId: string,
  token: string,
  reason: string | null,
): Promise<PublicView> {
  return respond(db, requestId, token, 'DECLINED', (holder, link) =>
    declineAssignment(db, holder, link.assignment_id, reason),
  );
}
