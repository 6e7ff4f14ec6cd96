import { recordAudit, type Actor } from '../../platform/audit.js';
import { hasRole } from '../../platform/auth/roles.js';
import { DAY, isoNow, newId, toIso } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/database.js';
import type { MemberRole } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { toPage } from '../../platform/http/pagination.js';
import { DEFAULT_TIMEZONE, zonedDateTimeToUtc } from '../../platform/timezone.js';
import { findOrg } from '../orgs/orgs.repository.js';
import { decodeKeyset, keysetOf } from '../projects/keyset.js';
import { loadWritableProject } from '../projects/projects.service.js';
import {
  deleteMission as deleteMissionRow,
  deleteRole as deleteRoleRow,
  findMission,
  findRole,
  insertMissions,
  insertRoles,
  listMissionsQuery,
  rolesOf,
  toMission,
  toRole,
  updateMission as updateMissionRow,
  updateRole as updateRoleRow,
  type MissionRow,
  type RoleRow,
} from './missions.repository.js';
import { MAX_BULK, MAX_MISSION_DAYS } from './missions.schemas.js';

export interface RoleInput {
  name: string;
  quota: number;
  skill?: string | null | undefined;
  min_level?: number | null | undefined;
}

export interface MissionInput {
  title: string;
  starts_at: string;
  ends_at: string;
  location?: string | null | undefined;
  notes?: string | null | undefined;
  roles: RoleInput[];
}

export interface TemplateInput {
  title: string;
  start_time: string;
  end_time: string;
  location?: string | null | undefined;
  notes?: string | null | undefined;
  roles: RoleInput[];
}

export interface BulkInput {
  missions?: MissionInput[] | undefined;
  template?: TemplateInput | undefined;
  dates?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  weekdays?: number[] | undefined;
}

export type MissionPatch = Partial<{
  title: string;
  starts_at: string;
  ends_at: string;
  location: string | null;
  notes: string | null;
}>;

export type RolePatch = Partial<{
  name: string;
  quota: number;
  skill: string | null;
  min_level: number | null;
}>;

/** The caller of a read: a tech only ever sees published missions. */
export interface Viewer {
  role: MemberRole | null;
}

const MAX_DURATION_MS = MAX_MISSION_DAYS * DAY;

function invalid(detail: string, path: string, message: string, location = 'body'): AppError {
  return new AppError('validation_failed', detail, { errors: [{ location, path, message }] });
}

/** Checks and normalises a mission's times; `at` prefixes error paths (`/missions/3`). */
function missionTimes(startsAt: string, endsAt: string, at = ''): { starts_at: string; ends_at: string } {
  const starts = toIso(startsAt);
  const ends = toIso(endsAt);
  if (ends <= starts) {
    throw invalid(
      `${at ? `${at.slice(1)}: ` : ''}ends_at must be after starts_at`,
      `${at}/ends_at`,
      'must be after starts_at',
    );
  }
  if (Date.parse(ends) - Date.parse(starts) > MAX_DURATION_MS) {
    throw invalid(
      `${at ? `${at.slice(1)}: ` : ''}a mission lasts at most ${MAX_MISSION_DAYS} days`,
      `${at}/ends_at`,
      `must be at most ${MAX_MISSION_DAYS} days after starts_at`,
    );
  }
  return { starts_at: starts, ends_at: ends };
}

function roleRows(orgId: string, missionId: string, roles: RoleInput[], now: string): RoleRow[] {
  return roles.map((role) => ({
    id: newId(),
    org_id: orgId,
    mission_id: missionId,
    name: role.name.trim(),
    quota: role.quota,
    skill: role.skill?.trim() || null,
    min_level: role.min_level ?? null,
    accepted_count: 0,
    created_at: now,
  }));
}

interface Draft {
  mission: MissionRow;
  roles: RoleRow[];
}

function draft(
  orgId: string,
  projectId: string,
  input: Omit<MissionInput, 'starts_at' | 'ends_at'>,
  times: { starts_at: string; ends_at: string },
  now: string,
): Draft {
  const mission: MissionRow = {
    id: newId(),
    org_id: orgId,
    project_id: projectId,
    title: input.title.trim(),
    starts_at: times.starts_at,
    ends_at: times.ends_at,
    location: input.location ?? null,
    notes: input.notes ?? null,
    published_at: null,
    created_at: now,
    updated_at: now,
  };
  return { mission, roles: roleRows(orgId, mission.id, input.roles, now) };
}

async function loadMission(db: Executor, orgId: string, missionId: string, viewer?: Viewer) {
  const mission = await findMission(db, orgId, missionId);
  if (!mission) throw notFound('Mission');
  if (viewer && !hasRole(viewer.role, 'manager') && mission.published_at === null) throw notFound('Mission');
  return mission;
}

/** A mission of a project that is not archived, for writes. */
async function loadWritableMission(db: Executor, orgId: string, missionId: string) {
  const mission = await loadMission(db, orgId, missionId);
  await loadWritableProject(db, orgId, mission.project_id);
  return mission;
}

async function missionView(db: Executor, orgId: string, mission: MissionRow) {
  const roles = await rolesOf(db, orgId, [mission.id]);
  return toMission(mission, roles.get(mission.id) ?? []);
}

export async function createMission(
  db: Db,
  actor: Actor,
  orgId: string,
  projectId: string,
  input: MissionInput,
) {
  const times = missionTimes(input.starts_at, input.ends_at);
  return db.transaction().execute(async (tx) => {
    await loadWritableProject(tx, orgId, projectId);
    const { mission, roles } = draft(orgId, projectId, input, times, isoNow());
    await insertMissions(tx, [mission]);
    await insertRoles(tx, roles);
    const view = toMission(mission, roles);
    await recordAudit(tx, actor, {
      orgId,
      action: 'mission.create',
      entityType: 'mission',
      entityId: mission.id,
      after: view,
    });
    return view;
  });
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const isoWeekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;

function tooMany(count: string): AppError {
  return invalid(
    `A bulk request creates at most ${MAX_BULK} missions (this one: ${count})`,
    '/',
    `more than ${MAX_BULK} missions`,
  );
}

/** The local dates a template repeats on, checked and in order. */
function templateDates(input: BulkInput): string[] {
  if (input.dates) return [...input.dates].sort();
  const { from, to, weekdays } = input as Required<Pick<BulkInput, 'from' | 'to' | 'weekdays'>>;
  if (to < from) throw invalid('to must not be before from', '/to', 'must not be before from');
  const days = new Set(weekdays);
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (!days.has(isoWeekday(date))) continue;
    dates.push(date);
    if (dates.length > MAX_BULK) throw tooMany(`more than ${MAX_BULK}`);
  }
  if (dates.length === 0) {
    throw invalid('No date between from and to falls on the weekdays', '/weekdays', 'matches no date');
  }
  return dates;
}

function bulkShape(input: BulkInput): 'missions' | 'dates' | 'range' {
  const present = (['missions', 'template', 'dates', 'from', 'to', 'weekdays'] as const).filter(
    (k) => input[k] !== undefined,
  );
  const is = (...keys: string[]) =>
    present.length === keys.length && keys.every((k) => present.includes(k as never));
  if (is('missions')) return 'missions';
  if (is('template', 'dates')) return 'dates';
  if (is('template', 'from', 'to', 'weekdays')) return 'range';
  throw invalid(
    'The body is one of {missions}, {template, dates} or {template, from, to, weekdays}',
    '/',
    `unexpected combination of fields: ${present.join(', ') || 'none'}`,
  );
}

/**
 * Creates many missions in one transaction: all or nothing. Every mission is checked before anything is
 * written; each gets its own `mission.bulk_create` audit row, so a mission's history starts with its creation.
 */
export async function bulkCreateMissions(
  db: Db,
  actor: Actor,
  orgId: string,
  projectId: string,
  input: BulkInput,
) {
  const shape = bulkShape(input);
  return db.transaction().execute(async (tx) => {
    await loadWritableProject(tx, orgId, projectId);
    const now = isoNow();
    let drafts: Draft[];
    if (shape === 'missions') {
      drafts = input.missions!.map((m, i) =>
        draft(orgId, projectId, m, missionTimes(m.starts_at, m.ends_at, `/missions/${i}`), now),
      );
    } else {
      const template = input.template!;
      const dates = templateDates(input);
      const timeZone = (await findOrg(tx, orgId))?.timezone ?? DEFAULT_TIMEZONE;
      const overnight = template.end_time <= template.start_time;
      drafts = dates.map((date) => {
        const startsAt = zonedDateTimeToUtc(date, template.start_time, timeZone);
        const endsAt = zonedDateTimeToUtc(overnight ? addDays(date, 1) : date, template.end_time, timeZone);
        return draft(orgId, projectId, template, missionTimes(startsAt, endsAt, '/template'), now);
      });
    }
    if (drafts.length > MAX_BULK) throw tooMany(String(drafts.length));
    await insertMissions(
      tx,
      drafts.map((d) => d.mission),
    );
    await insertRoles(
      tx,
      drafts.flatMap((d) => d.roles),
    );
    for (const d of drafts) {
      await recordAudit(tx, actor, {
        orgId,
        action: 'mission.bulk_create',
        entityType: 'mission',
        entityId: d.mission.id,
        after: toMission(d.mission, d.roles),
      });
    }
    return { created: drafts.length, ids: drafts.map((d) => d.mission.id) };
  });
}

export async function listMissions(
  db: Db,
  viewer: Viewer,
  orgId: string,
  query: {
    project_id?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    published?: boolean | undefined;
    has_open_slots?: boolean | undefined;
    limit?: number | undefined;
    cursor?: string | undefined;
  },
) {
  const limit = query.limit ?? 50;
  const from = query.from === undefined ? undefined : toIso(query.from);
  const to = query.to === undefined ? undefined : toIso(query.to);
  if (from !== undefined && to !== undefined && to <= from) {
    throw invalid('to must be after from', '/to', 'must be after from', 'querystring');
  }
  const techOnly = !hasRole(viewer.role, 'manager');
  if (techOnly && query.published === false) return { items: [], next_cursor: null };
  const rows = await listMissionsQuery(db, orgId, {
    projectId: query.project_id,
    from,
    earliestStart:
      from === undefined ? undefined : new Date(Date.parse(from) - MAX_DURATION_MS).toISOString(),
    to,
    published: techOnly ? true : query.published,
    hasOpenSlots: query.has_open_slots,
    after: decodeKeyset(query.cursor, 'starts_at', 'time'),
    limit,
  }).execute();
  const roles = await rolesOf(
    db,
    orgId,
    rows.slice(0, limit).map((r) => r.id),
  );
  return toPage(
    rows,
    limit,
    (row) => keysetOf('starts_at', row.starts_at, row.id),
    (row) => toMission(row, roles.get(row.id) ?? []),
  );
}

export async function getMission(db: Db, viewer: Viewer, orgId: string, missionId: string) {
  return missionView(db, orgId, await loadMission(db, orgId, missionId, viewer));
}

export async function updateMission(
  db: Db,
  actor: Actor,
  orgId: string,
  missionId: string,
  input: MissionPatch,
) {
  return db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    const times = missionTimes(input.starts_at ?? current.starts_at, input.ends_at ?? current.ends_at);
    const changes: Partial<MissionRow> = { updated_at: isoNow() };
    if (input.title !== undefined) changes.title = input.title.trim();
    if (input.starts_at !== undefined) changes.starts_at = times.starts_at;
    if (input.ends_at !== undefined) changes.ends_at = times.ends_at;
    if (input.location !== undefined) changes.location = input.location;
    if (input.notes !== undefined) changes.notes = input.notes;
    const roles = (await rolesOf(tx, orgId, [missionId])).get(missionId) ?? [];
    await updateMissionRow(tx, orgId, missionId, changes);
    const before = toMission(current, roles);
    const after = toMission({ ...current, ...changes }, roles);
    await recordAudit(tx, actor, {
      orgId,
      action: 'mission.update',
      entityType: 'mission',
      entityId: missionId,
      before,
      after,
    });
    return after;
  });
}

function missionInUse(): AppError {
  return new AppError(
    'in_use',
    'The mission has accepted assignments: cancel it instead (or cancel its assignments first)',
  );
}

export async function deleteMission(db: Db, actor: Actor, orgId: string, missionId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    const before = await missionView(tx, orgId, current);
    if (!(await deleteMissionRow(tx, orgId, missionId))) throw missionInUse();
    await recordAudit(tx, actor, {
      orgId,
      action: 'mission.delete',
      entityType: 'mission',
      entityId: missionId,
      before,
    });
  });
}

export async function duplicateMission(
  db: Db,
  actor: Actor,
  orgId: string,
  missionId: string,
  input: { starts_at: string },
) {
  return db.transaction().execute(async (tx) => {
    const source = await loadWritableMission(tx, orgId, missionId);
    const startsAt = toIso(input.starts_at);
    const duration = Date.parse(source.ends_at) - Date.parse(source.starts_at);
    const endsAt = new Date(Date.parse(startsAt) + duration).toISOString();
    const sourceRoles = (await rolesOf(tx, orgId, [missionId])).get(missionId) ?? [];
    const copy = draft(
      orgId,
      source.project_id,
      {
        title: source.title,
        location: source.location,
        notes: source.notes,
        roles: sourceRoles.map(({ name, quota, skill, min_level }) => ({ name, quota, skill, min_level })),
      },
      missionTimes(startsAt, endsAt),
      isoNow(),
    );
    await insertMissions(tx, [copy.mission]);
    await insertRoles(tx, copy.roles);
    const view = toMission(copy.mission, copy.roles);
    await recordAudit(tx, actor, {
      orgId,
      action: 'mission.duplicate',
      entityType: 'mission',
      entityId: copy.mission.id,
      after: { ...view, duplicated_from: missionId },
    });
    return view;
  });
}

/** Idempotent: publishing a published mission changes nothing and writes no audit row. */
export async function publishMission(db: Db, actor: Actor, orgId: string, missionId: string) {
  return db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    if (current.published_at !== null) return missionView(tx, orgId, current);
    const now = isoNow();
    await updateMissionRow(tx, orgId, missionId, { published_at: now, updated_at: now });
    const before = await missionView(tx, orgId, current);
    const after = { ...before, published: true, published_at: now, updated_at: now };
    await recordAudit(tx, actor, {
      orgId,
      action: 'mission.publish',
      entityType: 'mission',
      entityId: missionId,
      before: { published_at: null },
      after: { published_at: now },
    });
    return after;
  });
}

async function touchMission(tx: Executor, orgId: string, missionId: string) {
  await updateMissionRow(tx, orgId, missionId, { updated_at: isoNow() });
}

export async function addRole(db: Db, actor: Actor, orgId: string, missionId: string, input: RoleInput) {
  return db.transaction().execute(async (tx) => {
    await loadWritableMission(tx, orgId, missionId);
    const [row] = roleRows(orgId, missionId, [input], isoNow()) as [RoleRow];
    await insertRoles(tx, [row]);
    await touchMission(tx, orgId, missionId);
    const role = toRole(row);
    await recordAudit(tx, actor, {
      orgId,
      action: 'role.create',
      entityType: 'mission_role',
      entityId: row.id,
      after: { ...role, mission_id: missionId },
    });
    return role;
  });
}

async function loadRole(tx: Executor, orgId: string, missionId: string, roleId: string) {
  const role = await findRole(tx, orgId, missionId, roleId);
  if (!role) throw notFound('Role');
  return role;
}

export async function updateRole(
  db: Db,
  actor: Actor,
  orgId: string,
  missionId: string,
  roleId: string,
  input: RolePatch,
) {
  return db.transaction().execute(async (tx) => {
    await loadWritableMission(tx, orgId, missionId);
    const current = await loadRole(tx, orgId, missionId, roleId);
    const changes: Partial<Pick<RoleRow, 'name' | 'quota' | 'skill' | 'min_level'>> = {};
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.quota !== undefined) changes.quota = input.quota;
    if (input.skill !== undefined) changes.skill = input.skill?.trim() || null;
    if (input.min_level !== undefined) changes.min_level = input.min_level;
    if (!(await updateRoleRow(tx, orgId, roleId, changes))) {
      const now = await loadRole(tx, orgId, missionId, roleId);
      throw new AppError(
        'conflict',
        `quota ${input.quota} is below the ${now.accepted_count} accepted assignments of this role`,
      );
    }
    await touchMission(tx, orgId, missionId);
    const updated = await loadRole(tx, orgId, missionId, roleId);
    const after = toRole(updated);
    await recordAudit(tx, actor, {
      orgId,
      action: 'role.update',
      entityType: 'mission_role',
      entityId: roleId,
      before: { ...toRole(current), mission_id: missionId },
      after: { ...after, mission_id: missionId },
    });
    return after;
  });
}

export async function deleteRole(
  db: Db,
  actor: Actor,
  orgId: string,
  missionId: string,
  roleId: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await loadWritableMission(tx, orgId, missionId);
    const current = await loadRole(tx, orgId, missionId, roleId);
    if (!(await deleteRoleRow(tx, orgId, roleId))) {
      throw new AppError('in_use', 'The role has accepted assignments: cancel them first');
    }
    await touchMission(tx, orgId, missionId);
    await recordAudit(tx, actor, {
      orgId,
      action: 'role.delete',
      entityType: 'mission_role',
      entityId: roleId,
      before: { ...toRole(current), mission_id: missionId },
    });
  });
}
