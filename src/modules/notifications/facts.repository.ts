import type { Executor } from '../../platform/db/database.js';
import type { OrgId } from '../../platform/auth/org-scope.js';

/**
 * What a notification is about, read when it is planned and again when it is written: the assignment with its
 * mission, role, project, the person (roster profile and account) and whoever invited them.
 */
export function assignmentFacts(db: Executor, assignmentId: string) {
  return factsQuery(db).where('a.id', '=', assignmentId).executeTakeFirst();
}

/** The facts of several assignments in one query (a batch of events, a claimed batch of mails), keyed by id. */
export async function assignmentFactsOf(db: Executor, assignmentIds: Iterable<string>) {
  const ids = [...new Set(assignmentIds)];
  const rows = ids.length === 0 ? [] : await factsQuery(db).where('a.id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

function factsQuery(db: Executor) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('accounts as acc', 'acc.id', 'u.account_id')
    .select([
      'a.id',
      'a.org_id',
      'a.status',
      'a.reason',
      'a.user_id',
      'a.invited_by',
      'a.mission_id',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.location',
      'm.notes',
      'r.name as role_name',
      'p.name as project_name',
      'u.first_name',
      'u.last_name',
      'u.email as user_email',
      'u.account_id',
      'acc.email as account_email',
    ]);
}
export type AssignmentFacts = NonNullable<Awaited<ReturnType<typeof assignmentFacts>>>;

/** Where a person is reached: the roster's email, else their account's. */
export const emailOf = (facts: { user_email: string | null; account_email: string | null }) =>
  facts.user_email ?? facts.account_email ?? null;

/** A manager as the crew sees them: the roster profile of their account in the org, else the account's email. */
export async function managerContact(db: Executor, orgId: OrgId, accountId: string | null) {
  if (!accountId) return null;
  const row = await db
    .selectFrom('accounts as acc')
    .leftJoin('users as u', (join) => join.onRef('u.account_id', '=', 'acc.id').on('u.org_id', '=', orgId))
    .select(['acc.email as account_email', 'u.first_name', 'u.last_name', 'u.email', 'u.phone'])
    .where('acc.id', '=', accountId)
    .executeTakeFirst();
  if (!row) return null;
  const name = row.first_name ? `${row.first_name} ${row.last_name ?? ''}`.trim() : null;
  return { name, email: row.email ?? row.account_email, phone: row.phone };
}

export function accountEmail(db: Executor, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'email', 'active'])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** Several accounts' emails in one query, keyed by id. */
export async function accountEmails(db: Executor, accountIds: Iterable<string>) {
  const ids = [...new Set(accountIds)];
  const rows =
    ids.length === 0
      ? []
      : await db.selectFrom('accounts').select(['id', 'email', 'active']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

const contactsQuery = (db: Executor) =>
  db
    .selectFrom('users as u')
    .leftJoin('accounts as acc', 'acc.id', 'u.account_id')
    .select(['u.id', 'u.org_id', 'u.first_name', 'u.email as user_email', 'acc.email as account_email']);

export function userContact(db: Executor, userId: string) {
  return contactsQuery(db).where('u.id', '=', userId).executeTakeFirst();
}

/** The contacts of several people in one query (a change reaches every holder of a mission), keyed by user id. */
export async function userContacts(db: Executor, userIds: string[]) {
  const rows =
    userIds.length === 0
      ? []
      : await contactsQuery(db)
          .where('u.id', 'in', [...new Set(userIds)])
          .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export function orgInvitationFacts(db: Executor, invitationId: string) {
  return db
    .selectFrom('org_invitations as i')
    .innerJoin('orgs as o', 'o.id', 'i.org_id')
    .select([
      'i.id',
      'i.org_id',
      'i.email',
      'i.role',
      'i.invited_by',
      'i.expires_at',
      'i.accepted_at',
      'o.name',
    ])
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
}

export function resetFacts(db: Executor, resetId: string) {
  return db
    .selectFrom('password_reset_tokens as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select(['t.id', 't.expires_at', 't.used_at', 'a.email', 'a.active'])
    .where('t.id', '=', resetId)
    .executeTakeFirst();
}

/** Whether a signed link was ever made for the assignment (by a manager, or for an invitation mail). */
export async function hasLink(db: Executor, assignmentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('invitations')
    .select('id')
    .where('assignment_id', '=', assignmentId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
