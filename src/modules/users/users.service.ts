import { isUniqueViolation } from '../../platform/db/errors.js';
import { recordAudit } from '../../platform/audit.js';
import { limitedToOwn, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { Page } from '../../platform/http/pagination.js';
import {
  accountLinkedElsewhere,
  countUpcomingAcceptedAssignments,
  deleteUser as deleteUserRow,
  findUser,
  insertUser,
  isOrgMember,
  listUsers as listUserRows,
  replaceSkills,
  replaceTags,
  updateUser as updateUserRow,
  type SkillValue,
  type UserChanges,
  type UserRow,
} from './users.repository.js';
import type { CreateUserInput, ListUsersFilters, UpdateUserInput, UserView } from './users.schemas.js';

const USER = 'User';

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', `body${path}: ${message}`, {
    errors: [{ location: 'body', path, message }],
  });
}

const normaliseName = (value: string) => value.trim().toLowerCase();

/** Trimmed, lower-cased; the same name twice in one request is a 400, not a silent merge. */
function normaliseSkills(skills: { name: string; level: number }[]): SkillValue[] {
  const seen = new Set<string>();
  return skills.map((skill, index) => {
    const name = normaliseName(skill.name);
    if (seen.has(name)) throw invalid(`/skills/${index}/name`, `skill "${name}" is listed more than once`);
    seen.add(name);
    return { name, level: skill.level };
  });
}

/** Trimmed, lower-cased, duplicates dropped. */
function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map(normaliseName))];
}

async function assertLinkableAccount(
  db: Executor,
  orgId: OrgId,
  accountId: string,
  userId?: string,
): Promise<void> {
  if (!(await isOrgMember(db, orgId, accountId))) {
    throw invalid('/account_id', 'is not an account that is a member of this org');
  }
  if (await accountLinkedElsewhere(db, orgId, accountId, userId)) throw accountTaken();
}

const accountTaken = () =>
  new AppError('already_exists', 'This account is already linked to another user of this org');

/** The only unique index a user write can hit is (org_id, account_id); skills and tags are deduplicated. */
async function translatingUniqueViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw accountTaken();
    throw error;
  }
}

export async function createUser(db: Db, scope: OrgScope, input: CreateUserInput): Promise<UserView> {
  const { orgId } = scope;
  const skills = normaliseSkills(input.skills ?? []);
  const tags = normaliseTags(input.tags ?? []);
  const accountId = input.account_id ?? null;
  return translatingUniqueViolation(() =>
    db.transaction().execute(async (tx) => {
      if (accountId !== null) await assertLinkableAccount(tx, orgId, accountId);
      const now = isoNow();
      const row: UserRow = {
        id: newId(),
        org_id: orgId,
        account_id: accountId,
        first_name: input.first_name.trim(),
        last_name: input.last_name.trim(),
        email: input.email?.toLowerCase() ?? null,
        phone: input.phone ?? null,
        employment_type: input.employment_type,
        notes: input.notes ?? null,
        active: input.active ?? true,
        created_at: now,
        updated_at: now,
      };
      await insertUser(tx, row);
      await replaceSkills(tx, orgId, row.id, skills);
      await replaceTags(tx, orgId, row.id, tags);
      const user = (await findUser(tx, orgId, row.id))!;
      await recordAudit(tx, scope, {
        orgId,
        action: 'user.create',
        entityType: 'user',
        entityId: row.id,
        after: user,
      });
      return user;
    }),
  );
}

export function listUsers(db: Db, scope: OrgScope, filters: ListUsersFilters): Promise<Page<UserView>> {
  const { orgId } = scope;
  if (filters.min_level !== undefined && filters.skill === undefined) {
    throw new AppError('validation_failed', 'querystring/min_level: only applies together with skill', {
      errors: [{ location: 'querystring', path: '/min_level', message: 'only applies together with skill' }],
    });
  }
  return listUserRows(db, orgId, {
    q: filters.q?.trim().toLowerCase() || undefined,
    skill: filters.skill === undefined ? undefined : normaliseName(filters.skill),
    minLevel: filters.min_level,
    tag: filters.tag === undefined ? undefined : normaliseName(filters.tag),
    active: filters.active,
    limit: filters.limit ?? 50,
    cursor: filters.cursor,
  });
}

/** A tech reads only the user linked to their own account; anyone else's answers 404, like a missing one. */
export async function getUser(db: Db, scope: OrgScope, userId: string): Promise<UserView> {
  const { orgId } = scope;
  const user = await findUser(db, orgId, userId);
  if (!user) throw notFound(USER);
  if (limitedToOwn(scope) && user.account_id !== scope.accountId) throw notFound(USER);
  return user;
}

export async function updateUser(
  db: Db,
  scope: OrgScope,
  userId: string,
  input: UpdateUserInput,
): Promise<UserView> {
  const { orgId } = scope;
  const skills = input.skills === undefined ? undefined : normaliseSkills(input.skills);
  const tags = input.tags === undefined ? undefined : normaliseTags(input.tags);
  return translatingUniqueViolation(() =>
    db.transaction().execute(async (tx) => {
      // An accept takes the same lock and reads `active` after it: a deactivation and an accept never cross.
      await lockRow(tx, 'users', userId);
      const before = await findUser(tx, orgId, userId);
      if (!before) throw notFound(USER);
      if (input.account_id != null && input.account_id !== before.account_id) {
        await assertLinkableAccount(tx, orgId, input.account_id, userId);
      }
      const changes: UserChanges = { updated_at: isoNow() };
      if (input.first_name !== undefined) changes.first_name = input.first_name.trim();
      if (input.last_name !== undefined) changes.last_name = input.last_name.trim();
      if (input.email !== undefined) changes.email = input.email?.toLowerCase() ?? null;
      if (input.phone !== undefined) changes.phone = input.phone;
      if (input.employment_type !== undefined) changes.employment_type = input.employment_type;
      if (input.notes !== undefined) changes.notes = input.notes;
      if (input.account_id !== undefined) changes.account_id = input.account_id;
      if (input.active !== undefined) changes.active = input.active;
      await updateUserRow(tx, orgId, userId, changes);
      if (skills !== undefined) await replaceSkills(tx, orgId, userId, skills);
      if (tags !== undefined) await replaceTags(tx, orgId, userId, tags);
      const user = (await findUser(tx, orgId, userId))!;
      await recordAudit(tx, scope, {
        orgId,
        action: 'user.update',
        entityType: 'user',
        entityId: userId,
        before,
        after: user,
      });
      return user;
    }),
  );
}

/** Refused while the user holds accepted assignments on missions not ended yet: deactivate them instead. */
export async function deleteUser(db: Db, scope: OrgScope, userId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    // an accept racing with this delete waits for it (or the delete waits for the accept and sees it)
    await lockRow(tx, 'users', userId);
    const before = await findUser(tx, orgId, userId);
    if (!before) throw notFound(USER);
    const upcoming = await countUpcomingAcceptedAssignments(tx, orgId, userId, isoNow());
    if (upcoming > 0) {
      throw new AppError(
        'in_use',
        `This user has ${upcoming} accepted assignment(s) on missions that have not ended: ` +
          'deactivate the user instead (PATCH with "active": false)',
        { upcoming_assignments: upcoming },
      );
    }
    await deleteUserRow(tx, orgId, userId);
    await recordAudit(tx, scope, {
      orgId,
      action: 'user.delete',
      entityType: 'user',
      entityId: userId,
      before,
    });
  });
}
