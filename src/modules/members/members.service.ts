import type { Config } from '../../config.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import { trustedOrgId, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { assertAcceptablePassword, hashPassword } from '../../platform/auth/passwords.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';
import { hashToken } from '../../platform/auth/secrets.js';
import { DAY, isoIn, newId } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import type { MemberRole } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage, type PageRequest } from '../../platform/http/pagination.js';
import { recordEvent } from '../../platform/events.js';
import { findAccountByEmail, findAccountById, insertAccount } from '../auth/accounts.repository.js';
import { insertMembership } from '../orgs/orgs.repository.js';
import { linkRosterProfileByEmail } from '../users/roster-link.js';
import {
  claimOrgInvitation,
  countOwners,
  deleteMember,
  expirePendingOrgInvitations,
  findOrgInvitationByHash,
  findMember,
  insertOrgInvitation,
  listMemberRows,
  setMemberRole,
} from './members.repository.js';

export const ORG_INVITATION_TTL_MS = 7 * DAY;

export interface OrgInvitationDeps {
  db: Db;
  config: Config;
}

/** Owners alone grant or take away the owner and admin roles; admins manage managers and techs. */
function assertMayManage(scope: OrgScope, ...roles: MemberRole[]): void {
  if (scope.role !== 'owner' && roles.some((r) => r === 'owner' || r === 'admin')) {
    throw new AppError('forbidden', 'Only an owner grants or removes the owner and admin roles');
  }
}

export async function listMembers(db: Db, scope: OrgScope, page: PageRequest) {
  const { orgId } = scope;
  const cursor = page.cursor ? decodeCursor(page.cursor, ['time', 'uuid']) : undefined;
  const rows = await listMemberRows(db, orgId, page.limit, cursor);
  return toPage(
    rows,
    page.limit,
    (r) => [r.joined_at, r.account_id],
    (r) => r,
  );
}

/**
 * Records a single-use, 7-day invitation; the notification dispatcher mails its link. The token is derived from
 * the invitation's id and the server secret (derived-tokens.ts) and only its hash is stored.
 */
export async function sendOrgInvitation(
  deps: OrgInvitationDeps,
  scope: OrgScope,
  input: { email: string; role: MemberRole },
) {
  const { orgId } = scope;
  assertMayManage(scope, input.role);
  const email = input.email.toLowerCase();
  const invitationId = newId();
  const token = derivedToken(deps.config.secretKey, 'org-invitation', invitationId);
  const invitation = await deps.db.transaction().execute(async (tx) => {
    const existing = await findAccountByEmail(tx, email);
    if (existing && (await findMember(tx, orgId, existing.id))) {
      throw new AppError('already_exists', `${email} is already a member of this org`);
    }
    await expirePendingOrgInvitations(tx, orgId, email);
    const created = await insertOrgInvitation(tx, {
      orgId,
      email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: scope.accountId,
      expiresAt: isoIn(ORG_INVITATION_TTL_MS),
      id: invitationId,
    });
    const { token_hash: _secret, ...visible } = created;
    await recordAudit(tx, scope, {
      orgId,
      action: 'member.invite',
      entityType: 'org_invitation',
      entityId: created.id,
      after: visible,
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'org_invitation.created',
      entityType: 'org_invitation',
      entityId: created.id,
      subjects: {},
      payload: {
        invitation_id: created.id,
        email,
        role: input.role,
        invited_by: scope.accountId,
        expires_at: created.expires_at,
      },
    });
    return created;
  });
  return { invitation, token };
}

/**
 * Joins the org of the invitation. A logged-in caller must own the invited email; without a login, a
 * `password` creates the account for that email (an existing account must log in first).
 */
export async function acceptOrgInvitation(
  db: Db,
  actor: Actor,
  token: string,
  as: { accountId: string | null; password?: string | undefined },
) {
  const invitation = await findOrgInvitationByHash(db, hashToken(token));
  if (!invitation || invitation.accepted_at !== null || invitation.expires_at <= new Date().toISOString()) {
    throw new AppError('invalid_token', 'The invitation is invalid, expired or already used');
  }
  // A live invitation's row vouches for its org.
  const orgId = trustedOrgId(invitation.org_id);
  let accountId = as.accountId;
  let newPasswordHash: string | null = null;
  if (accountId) {
    const account = await findAccountById(db, accountId);
    if (account?.email !== invitation.email)
      throw new AppError('forbidden', 'This invitation was sent to another email');
  } else {
    if (!as.password) {
      throw new AppError(
        'unauthorized',
        'Log in to accept, or send a password to create the account',
        {},
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (await findAccountByEmail(db, invitation.email)) {
      throw new AppError(
        'email_taken',
        'An account exists for this email: log in, then accept the invitation',
      );
    }
    assertAcceptablePassword(as.password, 'password');
    newPasswordHash = await hashPassword(as.password);
  }

  return db.transaction().execute(async (tx) => {
    if (!(await claimOrgInvitation(tx, invitation.id))) {
      throw new AppError('invalid_token', 'The invitation is invalid, expired or already used');
    }
    if (!accountId) {
      const account = await insertAccount(tx, invitation.email, newPasswordHash!);
      accountId = account.id;
      await recordAudit(
        tx,
        { ...actor, accountId },
        {
          orgId: null,
          action: 'account.create',
          entityType: 'account',
          entityId: accountId,
          after: { email: account.email },
        },
      );
    }
    if (await findMember(tx, orgId, accountId)) {
      throw new AppError('already_exists', 'The account is already a member of this org');
    }
    const membership = await insertMembership(tx, orgId, accountId, invitation.role);
    await recordAudit(
      tx,
      { ...actor, accountId },
      {
        orgId,
        action: 'member.join',
        entityType: 'membership',
        entityId: membership.id,
        after: { account_id: accountId, role: invitation.role, invitation_id: invitation.id },
      },
    );
    await linkRosterProfileByEmail(tx, { ...actor, accountId }, orgId, accountId, invitation.email);
    return {
      org_id: invitation.org_id,
      account_id: accountId,
      membership_id: membership.id,
      role: invitation.role,
    };
  });
}

export async function changeMemberRole(db: Db, scope: OrgScope, accountId: string, role: MemberRole) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    await lockRow(tx, 'orgs', orgId);
    const member = await findMember(tx, orgId, accountId);
    if (!member) throw notFound('Member');
    assertMayManage(scope, member.role, role);
    if (member.role === 'owner' && role !== 'owner') await assertNotLastOwner(tx, orgId);
    await setMemberRole(tx, orgId, accountId, role);
    await recordAudit(tx, scope, {
      orgId,
      action: 'member.role_change',
      entityType: 'membership',
      entityId: member.id,
      before: { role: member.role },
      after: { role },
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'member.role_changed',
      entityType: 'membership',
      entityId: member.id,
      subjects: { account_ids: [accountId] },
      payload: { account_id: accountId, before: { role: member.role }, after: { role } },
    });
    return { ...member, role };
  });
}

export async function removeMember(db: Db, scope: OrgScope, accountId: string) {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    await lockRow(tx, 'orgs', orgId);
    const member = await findMember(tx, orgId, accountId);
    if (!member) throw notFound('Member');
    assertMayManage(scope, member.role);
    if (member.role === 'owner') await assertNotLastOwner(tx, orgId);
    await deleteMember(tx, orgId, accountId);
    await recordAudit(tx, scope, {
      orgId,
      action: 'member.remove',
      entityType: 'membership',
      entityId: member.id,
      before: { account_id: accountId, role: member.role },
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'member.removed',
      entityType: 'membership',
      entityId: member.id,
      subjects: { account_ids: [accountId] },
      payload: { account_id: accountId, before: { role: member.role } },
    });
  });
}

/** Runs under the org row lock, so two owners demoting each other cannot both succeed. */
async function assertNotLastOwner(tx: Parameters<typeof countOwners>[0], orgId: OrgId): Promise<void> {
  if ((await countOwners(tx, orgId)) <= 1) {
    throw new AppError('last_owner', 'An org keeps at least one owner: make someone else owner first');
  }
}
