import { recordAudit, type Actor } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import { DEFAULT_TIMEZONE, isValidTimeZone } from '../../platform/timezone.js';
import { rebuildAcceptedTime } from '../staffing/month-minutes.repository.js';
import { findOrg, insertMembership, insertOrg, updateOrgRow } from './orgs.repository.js';

export function assertTimeZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) {
    throw new AppError(
      'validation_failed',
      `timezone "${timezone}" is not an IANA time zone (e.g. Europe/Paris)`,
      {
        errors: [{ location: 'body', path: '/timezone', message: 'unknown time zone' }],
      },
    );
  }
}

/** A new org whose first member, the owner, is the given account. */
export async function createOrg(
  db: Db,
  actor: Actor,
  input: { name: string; timezone?: string | undefined },
  ownerAccountId: string,
) {
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  assertTimeZone(timezone);
  return db.transaction().execute(async (tx) => {
    const org = await insertOrg(tx, input.name.trim(), timezone);
    const membership = await insertMembership(tx, org.id, ownerAccountId, 'owner');
    await recordAudit(tx, actor, {
      orgId: org.id,
      action: 'org.create',
      entityType: 'org',
      entityId: org.id,
      after: org,
    });
    await recordAudit(tx, actor, {
      orgId: org.id,
      action: 'member.add',
      entityType: 'membership',
      entityId: membership.id,
      after: { account_id: ownerAccountId, role: 'owner' },
    });
    return { org, membership };
  });
}

export async function getOrg(db: Db, scope: OrgScope) {
  const org = await findOrg(db, scope.orgId);
  if (!org) throw notFound('Org');
  return org;
}

export async function updateOrg(
  db: Db,
  scope: OrgScope,
  changes: { name?: string | undefined; timezone?: string | undefined },
) {
  const { orgId } = scope;
  if (changes.timezone !== undefined) assertTimeZone(changes.timezone);
  return db.transaction().execute(async (tx) => {
    const before = await findOrg(tx, orgId);
    if (!before) throw notFound('Org');
    const update: { name?: string; timezone?: string } = {};
    if (changes.name !== undefined) update.name = changes.name.trim();
    if (changes.timezone !== undefined) update.timezone = changes.timezone;
    await updateOrgRow(tx, orgId, update);
    // Months start at other instants in another zone: the kept accepted time per month is counted again.
    if (update.timezone !== undefined && update.timezone !== before.timezone) {
      await rebuildAcceptedTime(tx, orgId, update.timezone);
    }
    const after = (await findOrg(tx, orgId))!;
    await recordAudit(tx, scope, {
      orgId,
      action: 'org.update',
      entityType: 'org',
      entityId: orgId,
      before,
      after,
    });
    return after;
  });
}
