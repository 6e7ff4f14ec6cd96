import { recordAudit, type Actor } from '../../platform/audit.js';
import type { OrgId } from '../../platform/auth/org-scope.js';
import { isoNow } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';

/**
 * One person, one account: when an account joins an org whose roster already has a profile with the same email
 * (case-insensitive) and no account, the profile becomes theirs, so their work shows under `/me/…` without a
 * manager linking it by hand. Nothing happens when the account already has a profile in the org, or when several
 * unlinked profiles share the email (a manager decides which one is the person). Call it in the joining
 * transaction; returns the linked profile's id, or null.
 */
export async function linkRosterProfileByEmail(
  tx: Executor,
  actor: Actor,
  orgId: OrgId,
  accountId: string,
  email: string,
): Promise<string | null> {
  const own = await tx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (own) return null;
  const candidates = await tx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('account_id', 'is', null)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .limit(2)
    .execute();
  const [profile] = candidates;
  if (!profile || candidates.length > 1) return null;
  const linked = await tx
    .updateTable('users')
    .set({ account_id: accountId, updated_at: isoNow() })
    .where('org_id', '=', orgId)
    .where('id', '=', profile.id)
    .where('account_id', 'is', null)
    .executeTakeFirst();
  if (Number(linked.numUpdatedRows) !== 1) return null;
  await recordAudit(tx, actor, {
    orgId,
    action: 'user.account_link',
    entityType: 'user',
    entityId: profile.id,
    before: { account_id: null },
    after: { account_id: accountId, matched_by: 'email' },
  });
  return profile.id;
}
