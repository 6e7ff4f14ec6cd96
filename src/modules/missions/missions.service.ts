import { recordAudit } from '../../platform/audit.js';
import { missionChanged, missionEvent, missionHolders } from '../../platform/domain-events.js';
import { recordEvent } from '../../platform/events.js';
import { limitedToOwn, type OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, toIso } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { toPage } from '../../platform/http/pagination.js';
import { decodeKeyset, keysetOf } from '../../platform/http/keyset.js';
import { loadWritableProject } from '../projects/projects.service.js';
import { judgeMove } from '../staffing/reschedule.js';
import { listAcceptedCrew } from '../staffing/busy.repository.js';
import {
  earliestStartRunningAt,
  moveAcceptedTime,
  raiseLongestMission,
} from '../staffing/month-minutes.repository.js';
import {
  deleteMission as deleteMissionRow,
  insertMissions,
  insertRoles,
  listMissionsQuery,
  rolesOf,
  toMission,
  updateMission as updateMissionRow,
  type MissionRow,
} from './missions.repository.js';
import {
  invalid,
  missionTimes,
  patchedTimes,
  draft,
  loadMission,
  loadWritableMission,
  missionView,
  MAX_DURATION_MS,
  type MissionInput,
  type MissionPatch,
} from './missions.domain.js';

export async function createMission(db: Db, scope: OrgScope, projectId: string, input: MissionInput) {
  const { orgId } = scope;
  const times = missionTimes(input.starts_at, input.ends_at);
  return db.transaction().execute(async (tx) => {
    await loadWritableProject(tx, orgId, projectId);
    const { mission, roles } = draft(orgId, projectId, input, times, isoNow());
    await insertMissions(tx, [mission]);
    await raiseLongestMission(tx, orgId, [mission]);
    await insertRoles(tx, roles);
    const view = toMission(mission, roles);
    await recordAudit(tx, scope, {
      orgId,
      action: 'mission.create',
      entityType: 'mission',
      entityId: mission.id,
      after: view,
    });
    await recordEvent(tx, scope, missionEvent('mission.created', orgId, mission));
    return view;
  });
}

export async function listMissions(
  db: Db,
  scope: OrgScope,
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
  const { orgId } = scope;
  const limit = query.limit ?? 50;
  const from = query.from === undefined ? undefined : toIso(query.from);
  const to = query.to === undefined ? undefined : toIso(query.to);
  if (from !== undefined && to !== undefined && to <= from) {
    throw invalid('to must be after from', '/to', 'must be after from', 'querystring');
  }
  const techOnly = limitedToOwn(scope);
  if (techOnly && query.published === false) return { items: [], next_cursor: null };
  const rows = await listMissionsQuery(db, orgId, {
    projectId: query.project_id,
    from,
    // A mission that started before `from` is listed while it runs: look back as far as the org's longest one.
    earliestStart:
      from === undefined ? undefined : await earliestStartRunningAt(db, orgId, from, MAX_DURATION_MS),
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

export async function getMission(db: Db, scope: OrgScope, missionId: string) {
  const { orgId } = scope;
  return missionView(db, orgId, await loadMission(db, orgId, missionId, scope));
}

export async function updateMission(db: Db, scope: OrgScope, missionId: string, input: MissionPatch) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    const times = patchedTimes(current, input);
    const changes: Partial<MissionRow> = { updated_at: isoNow() };
    if (input.title !== undefined) changes.title = input.title.trim();
    if (input.starts_at !== undefined) changes.starts_at = times.starts_at;
    if (input.ends_at !== undefined) changes.ends_at = times.ends_at;
    if (input.location !== undefined) changes.location = input.location;
    if (input.notes !== undefined) changes.notes = input.notes;
    const warnings =
      times.starts_at !== current.starts_at || times.ends_at !== current.ends_at
        ? await judgeMove(tx, orgId, missionId, {
            start: Date.parse(times.starts_at),
            end: Date.parse(times.ends_at),
          })
        : [];
    const roles = (await rolesOf(tx, orgId, [missionId])).get(missionId) ?? [];
    await updateMissionRow(tx, orgId, missionId, changes);
    if (times.starts_at !== current.starts_at || times.ends_at !== current.ends_at) {
      await raiseLongestMission(tx, orgId, [times]);
      // The accepted crew's hours follow the mission to its new month and duration (their rows are locked).
      const crew = (await listAcceptedCrew(tx, orgId, missionId)).map((c) => c.user_id);
      await moveAcceptedTime(tx, orgId, crew, current, times);
    }
    const before = toMission(current, roles);
    const after = toMission({ ...current, ...changes }, roles);
    await recordAudit(tx, scope, {
      orgId,
      action: 'mission.update',
      entityType: 'mission',
      entityId: missionId,
      before,
      after,
    });
    // Only the people holding the mission hear of the change (docs/events.md).
    const changed = missionChanged(
      orgId,
      current,
      { ...current, ...changes },
      await missionHolders(tx, orgId, missionId),
    );
    if (changed) await recordEvent(tx, scope, changed);
    return { ...after, warnings };
  });
}

function missionInUse(): AppError {
  return new AppError(
    'in_use',
    'The mission has accepted assignments: cancel it instead (or cancel its assignments first)',
  );
}

export async function deleteMission(db: Db, scope: OrgScope, missionId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    const before = await missionView(tx, orgId, current);
    const holders = await missionHolders(tx, orgId, missionId); // read before the cascade removes them
    if (!(await deleteMissionRow(tx, orgId, missionId))) throw missionInUse();
    await recordAudit(tx, scope, {
      orgId,
      action: 'mission.delete',
      entityType: 'mission',
      entityId: missionId,
      before,
    });
    await recordEvent(tx, scope, missionEvent('mission.deleted', orgId, current, holders));
  });
}

export async function duplicateMission(
  db: Db,
  scope: OrgScope,
  missionId: string,
  input: { starts_at: string },
) {
  const { orgId } = scope;
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
    await raiseLongestMission(tx, orgId, [copy.mission]);
    await insertRoles(tx, copy.roles);
    const view = toMission(copy.mission, copy.roles);
    await recordAudit(tx, scope, {
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
export async function publishMission(db: Db, scope: OrgScope, missionId: string) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const current = await loadWritableMission(tx, orgId, missionId);
    if (current.published_at !== null) return missionView(tx, orgId, current);
    const now = isoNow();
    await updateMissionRow(tx, orgId, missionId, { published_at: now, updated_at: now });
    const before = await missionView(tx, orgId, current);
    const after = { ...before, published: true, published_at: now, updated_at: now };
    await recordAudit(tx, scope, {
      orgId,
      action: 'mission.publish',
      entityType: 'mission',
      entityId: missionId,
      before: { published_at: null },
      after: { published_at: now },
    });
    await recordEvent(tx, scope, missionEvent('mission.published', orgId, { ...current, published_at: now }));
    return after;
  });
}
