import type { OrgId, OrgScope } from '../../platform/auth/org-scope.js';
import { sql, type Selectable } from 'kysely';
import { asBool, type Executor } from '../../platform/db/database.js';
import { precompiled } from '../../platform/db/precompiled.js';
import type { UsersTable } from '../../platform/db/tables.js';
import { after, decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import type { UserView } from './users.schemas.js';

export type UserRow = Selectable<UsersTable>;
export interface SkillValue {
  name: string;
  level: number;
}

/** Row → API: nulls for absent optionals, skills sorted by name, tags sorted. */
export function toUser(row: UserRow, skills: SkillValue[], tags: string[]): UserView {
  return {
    id: row.id,
    org_id: row.org_id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email ?? null,
    phone: row.phone ?? null,
    employment_type: row.employment_type,
    skills: [...skills]
      .sort((a, b) => compare(a.name, b.name))
      .map((s) => ({ name: s.name, level: Number(s.level) })),
    tags: [...tags].sort(compare),
    notes: row.notes ?? null,
    account_id: row.account_id ?? null,
    active: asBool(row.active),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Code-point order: the same on both dialects, whatever the database collation. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Named columns, not `*`: on PostgreSQL this runs as a prepared statement, whose result type must not change
// when a later migration adds a column while this code still runs (a rolling deploy).
const USER_COLUMNS = [
  'id',
  'org_id',
  'account_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'employment_type',
  'notes',
  'active',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof UsersTable)[];

const userRow = precompiled((db: Executor, orgId: string, userId: string) =>
  db.selectFrom('users').select(USER_COLUMNS).where('org_id', '=', orgId).where('id', '=', userId),
);

export async function findUserRow(db: Executor, orgId: OrgId, userId: string): Promise<UserRow | undefined> {
  return (await userRow(db, orgId, userId))[0];
}

/** The org's user (with skills and tags), or undefined when it does not exist in this org. */
export async function findUser(db: Executor, orgId: OrgId, userId: string): Promise<UserView | undefined> {
  const row = await findUserRow(db, orgId, userId);
  return row ? (await withDetails(db, orgId, [row]))[0] : undefined;
}

/** The org's user linked to that login account (at most one: unique index), without skills and tags. */
export function findUserRowByAccount(
  db: Executor,
  orgId: OrgId,
  accountId: string,
): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** The id of the crew member linked to the caller's account in the scope's org, or null (also for no account). */
export async function findOwnUserId(db: Executor, scope: OrgScope): Promise<string | null> {
  if (!scope.accountId) return null;
  return (await findUserRowByAccount(db, scope.orgId, scope.accountId))?.id ?? null;
}

/** The org's user linked to that login account (with skills and tags), or undefined. */
export async function findUserByAccount(
  db: Executor,
  orgId: OrgId,
  accountId: string,
): Promise<UserView | undefined> {
  const row = await findUserRowByAccount(db, orgId, accountId);
  return row ? (await withDetails(db, orgId, [row]))[0] : undefined;
}

const skillsQuery = (db: Executor, orgId: string, ids: string[]) =>
  db
    .selectFrom('user_skills')
    .select(['user_id', 'name', 'level'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', ids);
const tagsQuery = (db: Executor, orgId: string, ids: string[]) =>
  db
    .selectFrom('user_tags')
    .select(['user_id', 'tag'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', ids);

/**
 * A page's skills and tags through statements compiled once (prepared on PostgreSQL): the ids are padded to
 * {@link DETAIL_PAGE} by repeating the first, which `in` ignores.
 */
const DETAIL_PAGE = 50;
const skillsOfPage = precompiled((db: Executor, orgId: string, ...ids: string[]) =>
  skillsQuery(db, orgId, ids),
);
const tagsOfPage = precompiled((db: Executor, orgId: string, ...ids: string[]) => tagsQuery(db, orgId, ids));

/** Skills and tags of a whole set of users: one query each, never one per user. */
async function withDetails(db: Executor, orgId: OrgId, rows: UserRow[]): Promise<UserView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  let padded: string[] | undefined;
  if (ids.length <= DETAIL_PAGE) {
    padded = [...ids];
    while (padded.length < DETAIL_PAGE) padded.push(ids[0]!);
  }
  const [skills, tags] = await Promise.all(
    padded
      ? ([skillsOfPage(db, orgId, ...padded), tagsOfPage(db, orgId, ...padded)] as const)
      : ([skillsQuery(db, orgId, ids).execute(), tagsQuery(db, orgId, ids).execute()] as const),
  );
  const skillsOf = new Map<string, SkillValue[]>();
  for (const s of skills) {
    const list = skillsOf.get(s.user_id) ?? [];
    list.push({ name: s.name, level: s.level });
    skillsOf.set(s.user_id, list);
  }
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) {
    const list = tagsOf.get(t.user_id) ?? [];
    list.push(t.tag);
    tagsOf.set(t.user_id, list);
  }
  return rows.map((row) => toUser(row, skillsOf.get(row.id) ?? [], tagsOf.get(row.id) ?? []));
}

export interface UserFilters {
  /** already lower-cased */
  q?: string | undefined;
  /** already normalised (trimmed, lower-case) */
  skill?: string | undefined;
  minLevel?: number | undefined;
  tag?: string | undefined;
  active?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** `%`, `_` and the escape character itself match literally. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of the roster, ordered by last name, first name, id (keyset). */
export async function listUsers(db: Executor, orgId: OrgId, filters: UserFilters): Promise<Page<UserView>> {
  let query = db.selectFrom('users').selectAll('users').where('users.org_id', '=', orgId);
  if (filters.q !== undefined) {
    const pattern = likeContains(filters.q);
    const contains = (expression: ReturnType<typeof sql>) =>
      sql<boolean>`lower(${expression}) like ${pattern} escape '\\'`;
    query = query.where((eb) =>
      eb.or([
        contains(sql`${sql.ref('users.first_name')}`),
        contains(sql`${sql.ref('users.last_name')}`),
        contains(sql`${sql.ref('users.first_name')} || ' ' || ${sql.ref('users.last_name')}`),
      ]),
    );
  }
  if (filters.skill !== undefined) {
    const skill = filters.skill;
    const minLevel = filters.minLevel;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('user_skills as s')
          .select(sql.lit(1).as('one'))
          .whereRef('s.user_id', '=', 'users.id')
          .where('s.org_id', '=', orgId)
          .where('s.name', '=', skill)
          .$if(minLevel !== undefined, (qb) => qb.where('s.level', '>=', minLevel!)),
      ),
    );
  }
  if (filters.tag !== undefined) {
    const tag = filters.tag;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('user_tags as t')
          .select(sql.lit(1).as('one'))
          .whereRef('t.user_id', '=', 'users.id')
          .where('t.org_id', '=', orgId)
          .where('t.tag', '=', tag),
      ),
    );
  }
  if (filters.active !== undefined) query = query.where('users.active', '=', filters.active);
  if (filters.cursor !== undefined) {
    const key = decodeCursor(filters.cursor, ['text', 'text', 'uuid']);
    query = query.where(after(['users.last_name', 'users.first_name', 'users.id'], key));
  }
  const rows = await query
    .orderBy('users.last_name')
    .orderBy('users.first_name')
    .orderBy('users.id')
    .limit(filters.limit + 1)
    .execute();
  const page = toPage(
    rows,
    filters.limit,
    (r) => [r.last_name, r.first_name, r.id],
    (r) => r,
  );
  return { items: await withDetails(db, orgId, page.items), next_cursor: page.next_cursor };
}

/** Whether each of these users (of the org) is active; a user not in the org is absent from the map. */
export async function listActiveFlags(
  db: Executor,
  orgId: OrgId,
  userIds: string[],
): Promise<Map<string, boolean>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'active'])
    .where('org_id', '=', orgId)
    .where('id', 'in', userIds)
    .execute();
  return new Map(rows.map((u) => [u.id, asBool(u.active)]));
}

export async function insertUser(db: Executor, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export type UserChanges = Partial<Omit<UserRow, 'id' | 'org_id' | 'created_at'>>;

export async function updateUser(
  db: Executor,
  orgId: OrgId,
  userId: string,
  changes: UserChanges,
): Promise<void> {
  await db.updateTable('users').set(changes).where('org_id', '=', orgId).where('id', '=', userId).execute();
}

export async function replaceSkills(
  db: Executor,
  orgId: OrgId,
  userId: string,
  skills: SkillValue[],
): Promise<void> {
  await db.deleteFrom('user_skills').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  if (skills.length === 0) return;
  await db
    .insertInto('user_skills')
    .values(skills.map((s) => ({ org_id: orgId, user_id: userId, name: s.name, level: s.level })))
    .execute();
}

export async function replaceTags(db: Executor, orgId: OrgId, userId: string, tags: string[]): Promise<void> {
  await db.deleteFrom('user_tags').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  if (tags.length === 0) return;
  await db
    .insertInto('user_tags')
    .values(tags.map((tag) => ({ org_id: orgId, user_id: userId, tag })))
    .execute();
}

/** Skills, tags, availability and assignments go with the user (ON DELETE CASCADE). */
export async function deleteUser(db: Executor, orgId: OrgId, userId: string): Promise<void> {
  await db.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', userId).execute();
}

/** Accepted assignments of the user on missions that end after `now`. */
export async function countUpcomingAcceptedAssignments(
  db: Executor,
  orgId: OrgId,
  userId: string,
  now: string,
): Promise<number> {
  const row = await db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('a.org_id', '=', orgId)
    .where('m.org_id', '=', orgId)
    .where('a.user_id', '=', userId)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.ends_at', '>', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function isOrgMember(db: Executor, orgId: OrgId, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('org_memberships')
    .select('id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Another user of the org already linked to that account (excluding `exceptUserId`). */
export async function accountLinkedElsewhere(
  db: Executor,
  orgId: OrgId,
  accountId: string,
  exceptUserId?: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .$if(exceptUserId !== undefined, (qb) => qb.where('id', '<>', exceptUserId!))
    .executeTakeFirst();
  return row !== undefined;
}
