/** What every mission service shares: input types, time checks, drafts and loading with the right 404s. */
import { limitedToOwn, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { DAY, newId, toIso } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import { AppError, notFound } from '../../platform/errors.js';
import { loadWritableProject } from '../projects/projects.service.js';
import { findMission, rolesOf, toMission, type MissionRow, type RoleRow } from './missions.repository.js';
import { MAX_MISSION_DAYS } from './missions.schemas.js';

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

export const MAX_DURATION_MS = MAX_MISSION_DAYS * DAY;

export function invalid(detail: string, path: string, message: string, location = 'body'): AppError {
  return new AppError('validation_failed', detail, { errors: [{ location, path, message }] });
}

/** Checks and normalises a mission's times; `at` prefixes error paths (`/missions/3`). */
export function missionTimes(
  startsAt: string,
  endsAt: string,
  at = '',
): { starts_at: string; ends_at: string } {
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

/**
 * The times after a PATCH. A body that contradicts itself is 400; a single new start or end that contradicts the
 * stored other one conflicts with the mission's current state (a concurrent PATCH may just have moved it): 409
 * `dates_conflict`.
 */
export function patchedTimes(
  current: MissionRow,
  patch: MissionPatch,
): { starts_at: string; ends_at: string } {
  if ((patch.starts_at === undefined) === (patch.ends_at === undefined)) {
    return missionTimes(patch.starts_at ?? current.starts_at, patch.ends_at ?? current.ends_at);
  }
  try {
    return missionTimes(patch.starts_at ?? current.starts_at, patch.ends_at ?? current.ends_at);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
    throw new AppError(
      'dates_conflict',
      `${error.message}, with the stored ${patch.starts_at ? 'end' : 'start'}`,
      { ...error.extensions, starts_at: current.starts_at, ends_at: current.ends_at },
    );
  }
}

export function roleRows(orgId: OrgId, missionId: string, roles: RoleInput[], now: string): RoleRow[] {
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

export interface Draft {
  mission: MissionRow;
  roles: RoleRow[];
}

export function draft(
  orgId: OrgId,
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

/** With `viewer`, a read: a tech only ever sees published missions (a draft answers 404, like a missing one). */
export async function loadMission(db: Executor, orgId: OrgId, missionId: string, viewer?: OrgScope) {
  const mission = await findMission(db, orgId, missionId);
  if (!mission) throw notFound('Mission');
  if (viewer && limitedToOwn(viewer) && mission.published_at === null) throw notFound('Mission');
  return mission;
}

/**
 * A mission of a project that is not archived, for writes: read under the mission's row lock, so two writes of
 * one mission (two PATCHes, a move and an accept) each check against what the other committed.
 */
export async function loadWritableMission(db: Executor, orgId: OrgId, missionId: string) {
  await lockRow(db, 'missions', missionId);
  const mission = await loadMission(db, orgId, missionId);
  await loadWritableProject(db, orgId, mission.project_id);
  return mission;
}

export async function missionView(db: Executor, orgId: OrgId, mission: MissionRow) {
  const roles = await rolesOf(db, orgId, [mission.id]);
  return toMission(mission, roles.get(mission.id) ?? []);
}
