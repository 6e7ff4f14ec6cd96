/** The roles of a mission: quota changes never drop below what is accepted. */
import { recordAudit } from '../../platform/audit.js';
import { recordEvent } from '../../platform/events.js';
import type { OrgId, OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import {
  deleteRole as deleteRoleRow,
  findRole,
  insertRoles,
  toRole,
  updateMission as updateMissionRow,
  updateRole as updateRoleRow,
  type RoleRow,
} from './missions.repository.js';
import { roleRows, loadWritableMission, type RoleInput, type RolePatch } from './missions.domain.js';

async function touchMission(tx: Executor, orgId: OrgId, missionId: string) {
  await updateMissionRow(tx, orgId, missionId, { updated_at: isoNow() });
}

export async function addRole(db: Db, scope: OrgScope, missionId: string, input: RoleInput) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    await loadWritableMission(tx, orgId, missionId);
    const [row] = roleRows(orgId, missionId, [input], isoNow()) as [RoleRow];
    await insertRoles(tx, [row]);
    await touchMission(tx, orgId, missionId);
    const role = toRole(row);
    await recordAudit(tx, scope, {
      orgId,
      action: 'role.create',
      entityType: 'mission_role',
      entityId: row.id,
      after: { ...role, mission_id: missionId },
    });
    return role;
  });
}

async function loadRole(tx: Executor, orgId: OrgId, missionId: string, roleId: string) {
  const role = await findRole(tx, orgId, missionId, roleId);
  if (!role) throw notFound('Role');
  return role;
}

export async function updateRole(
  db: Db,
  scope: OrgScope,
  missionId: string,
  roleId: string,
  input: RolePatch,
) {
  const { orgId } = scope;
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
        'quota_below_accepted',
        `quota ${input.quota} is below the ${now.accepted_count} accepted assignments of this role`,
      );
    }
    await touchMission(tx, orgId, missionId);
    const updated = await loadRole(tx, orgId, missionId, roleId);
    const after = toRole(updated);
    await recordAudit(tx, scope, {
      orgId,
      action: 'role.update',
      entityType: 'mission_role',
      entityId: roleId,
      before: { ...toRole(current), mission_id: missionId },
      after: { ...after, mission_id: missionId },
    });
    if (current.quota !== updated.quota) {
      await recordEvent(tx, scope, {
        orgId,
        type: 'mission_role.quota_changed',
        entityType: 'mission_role',
        entityId: roleId,
        subjects: {},
        payload: {
          mission_id: missionId,
          role_id: roleId,
          before: { quota: current.quota },
          after: { quota: updated.quota, accepted_count: updated.accepted_count },
        },
      });
    }
    return after;
  });
}

export async function deleteRole(db: Db, scope: OrgScope, missionId: string, roleId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    await loadWritableMission(tx, orgId, missionId);
    const current = await loadRole(tx, orgId, missionId, roleId);
    if (!(await deleteRoleRow(tx, orgId, roleId))) {
      throw new AppError('in_use', 'The role has accepted assignments: cancel them first');
    }
    await touchMission(tx, orgId, missionId);
    await recordAudit(tx, scope, {
      orgId,
      action: 'role.delete',
      entityType: 'mission_role',
      entityId: roleId,
      before: { ...toRole(current), mission_id: missionId },
    });
  });
}
