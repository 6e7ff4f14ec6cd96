import { recordAudit, type AuditEntry } from '../../platform/audit.js';
import { assignmentEvent } from '../../platform/domain-events.js';
import { recordEvent, type DomainEvent } from '../../platform/events.js';
import { limitedToOwn, type OrgId, type OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import type { AssignmentStatus } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { contextFor, loadBusyContexts, loadRuleSettings } from '../staffing/busy.repository.js';
import { findOwnUserId, findUserRow, listActiveFlags } from '../users/users.repository.js';
import { isBlocking, judge, LOOKAROUND_MS, type Reason } from '../staffing/rules.js';
import { earliestStartRunningAt, shiftAcceptedTime } from '../staffing/month-minutes.repository.js';
import { MAX_DURATION_MS } from '../missions/missions.domain.js';
import {
  findAssignment,
  findAssignmentView,
  findAssignmentViews,
  findStaffableMission,
  insertAssignment,
  listAssignmentRows,
  listRoleIds,
  releaseSlot,
  takeSlot,
  toAssignment,
  transition,
  type AssignmentFilter,
  type AssignmentView,
} from './assignments.repository.js';

export interface Invite {
  user_id: string;
  role_id: string;
  note?: string | undefined;
}

export type InvitedAssignment = AssignmentView & { warnings: Reason[] };

/** The mission to staff, with its project's status: staffing an archived project is refused. */
async function staffableMission(db: Executor, orgId: OrgId, missionId: string) {
  const mission = await findStaffableMission(db, orgId, missionId);
  if (!mission) throw notFound('Mission');
  if (mission.project_status === 'ARCHIVED') {
    throw new AppError('project_archived', 'The mission belongs to an archived project, which is read-only');
  }
  return mission;
}

const interval = (m: { starts_at: string; ends_at: string }) => ({
  start: Date.parse(m.starts_at),
  end: Date.parse(m.ends_at),
});
const around = (m: { starts_at: string; ends_at: string }) => ({
  start: Date.parse(m.starts_at) - LOOKAROUND_MS,
  end: Date.parse(m.ends_at) + LOOKAROUND_MS,
});

/** Invites people to roles of a mission, all or none; each invitation comes back with its warnings. */
export async function inviteToMission(db: Db, scope: OrgScope, missionId: string, invites: Invite[]) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const mission = await staffableMission(tx, orgId, missionId);
    const roleIds = new Set(await listRoleIds(tx, orgId, missionId));
    const userIds = [...new Set(invites.map((i) => i.user_id))];
    const active = await listActiveFlags(tx, orgId, userIds);

    const now = isoNow();
    const created: string[] = [];
    const audits: AuditEntry[] = [];
    const events: DomainEvent[] = [];
    for (const invite of invites) {
      if (!roleIds.has(invite.role_id)) throw notFound('Role');
      if (!active.has(invite.user_id)) throw notFound('User');
      if (!active.get(invite.user_id))
        throw new AppError('user_inactive', 'The user is deactivated: reactivate them to invite them');
      const row = {
        id: newId(),
        org_id: orgId,
        mission_id: missionId,
        role_id: invite.role_id,
        user_id: invite.user_id,
        status: 'INVITED' as const,
        note: invite.note ?? null,
        reason: null,
        invited_by: scope.accountId,
        responded_at: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await insertAssignment(tx, row);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new AppError(
            'assignment_exists',
            'The user already has an active assignment on this mission',
            { user_id: invite.user_id },
          );
        }
        throw error;
      }
      created.push(row.id);
      audits.push({
        orgId,
        action: 'assignment.invite',
        entityType: 'assignment',
        entityId: row.id,
        after: row,
      });
      events.push(assignmentEvent('assignment.invited', orgId, row, { status: 'INVITED' }));
    }
    await recordAudit(tx, scope, ...audits);
    const [settings, contexts, views] = await Promise.all([
      loadRuleSettings(tx, orgId),
      loadBusyContexts(tx, { orgId, userIds, window: around(mission) }),
      findAssignmentViews(tx, orgId, created),
    ]);
    const results: InvitedAssignment[] = views.map((row) => {
      const view = toAssignment(row);
      const warnings = judge(interval(mission), contextFor(contexts, view.user_id, view.id), settings);
      return { ...view, warnings };
    });
    // The last statement: every event-writing transaction waits for this one from here to its commit
    // (docs/events.md, "Ordering").
    await recordEvent(tx, scope, ...events);
    return results;
  });
}

/** A member answers only for the person linked to their account; managers answer on anyone's behalf. */
async function assertMayRespond(db: Executor, scope: OrgScope, userId: string): Promise<void> {
  if (limitedToOwn(scope) && (await findOwnUserId(db, scope)) !== userId) throw notFound('Assignment');
}

async function loadForChange(tx: Tx, scope: OrgScope, assignmentId: string) {
  const assignment = await findAssignment(tx, scope.orgId, assignmentId);
  if (!assignment) throw notFound('Assignment');
  await assertMayRespond(tx, scope, assignment.user_id);
  return assignment;
}

/** Answers given through a signed link say so in the audit trail (their actor is no account). */
const viaOf = (scope: OrgScope) => (scope.via === 'link' ? { via: scope.via } : {});

function refused(action: string, status: AssignmentStatus): AppError {
  return new AppError('invalid_transition', `Cannot ${action} an assignment that is ${status}`, {
    assignment_status: status,
  });
}

/**
 * INVITED → ACCEPTED, under the person's row lock: blocking rules (overlap, rest, hours, busy elsewhere) answer
 * 409 `conflict` with the reasons, a full role 409 `role_full`; the slot is taken by the same atomic statement
 * that checks the quota.
 */
export async function acceptAssignment(db: Db, scope: OrgScope, assignmentId: string) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const assignment = await loadForChange(tx, scope, assignmentId);
    // The mission first (a move takes the same lock first, so its times cannot change under this check), then
    // the person, then their account: the order of src/platform/db/locks.ts, so nothing deadlocks.
    await lockRow(tx, 'missions', assignment.mission_id);
    const mission = await staffableMission(tx, orgId, assignment.mission_id);
    await lockRow(tx, 'users', assignment.user_id);
    const person = await findUserRow(tx, orgId, assignment.user_id);
    // A deactivation takes the same user lock: read after it, `active` is the last word.
    if (!person?.active) {
      throw new AppError('user_inactive', 'The user is deactivated: reactivate them before accepting');
    }
    // The same person accepting in two orgs at once: their account row serialises the two (always locked after
    // the user row, so the order never inverts).
    if (person.account_id) await lockRow(tx, 'accounts', person.account_id);
    if (!(await transition(tx, orgId, assignmentId, ['INVITED'], 'ACCEPTED', null))) {
      const current = (await findAssignment(tx, orgId, assignmentId))!;
      throw refused('accept', current.status);
    }
    const [settings, contexts] = await Promise.all([
      loadRuleSettings(tx, orgId),
      loadBusyContexts(tx, { orgId, userIds: [assignment.user_id], window: around(mission) }),
    ]);
    const reasons = judge(
      interval(mission),
      contextFor(contexts, assignment.user_id, assignmentId),
      settings,
    );
    if (isBlocking(reasons)) {
      throw new AppError('rule_violation', 'Accepting would break a blocking rule', {
        reasons: reasons.filter((r) => r.severity === 'block'),
      });
    }
    if (!(await takeSlot(tx, orgId, assignment.role_id))) {
      throw new AppError('role_full', 'Every slot of this role is already taken');
    }
    await shiftAcceptedTime(tx, orgId, [assignment.user_id], mission, 1);
    const view = toAssignment((await findAssignmentView(tx, orgId, assignmentId))!);
    await recordAudit(tx, scope, {
      orgId,
      action: 'assignment.accept',
      entityType: 'assignment',
      entityId: assignmentId,
      before: { status: 'INVITED' },
      after: { status: 'ACCEPTED', ...viaOf(scope) },
    });
    await recordEvent(
      tx,
      scope,
      assignmentEvent('assignment.accepted', orgId, assignment, {
        before: { status: 'INVITED' },
        status: 'ACCEPTED',
        ...viaOf(scope),
      }),
    );
    return { ...view, warnings: reasons };
  });
}

/** INVITED → DECLINED. */
export async function declineAssignment(
  db: Db,
  scope: OrgScope,
  assignmentId: string,
  reason: string | null,
) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const assignment = await loadForChange(tx, scope, assignmentId);
    await staffableMission(tx, orgId, assignment.mission_id);
    if (!(await transition(tx, orgId, assignmentId, ['INVITED'], 'DECLINED', reason))) {
      throw refused('decline', (await findAssignment(tx, orgId, assignmentId))!.status);
    }
    const view = toAssignment((await findAssignmentView(tx, orgId, assignmentId))!);
    await recordAudit(tx, scope, {
      orgId,
      action: 'assignment.decline',
      entityType: 'assignment',
      entityId: assignmentId,
      before: { status: 'INVITED' },
      after: { status: 'DECLINED', reason, ...viaOf(scope) },
    });
    await recordEvent(
      tx,
      scope,
      assignmentEvent('assignment.declined', orgId, assignment, {
        before: { status: 'INVITED' },
        status: 'DECLINED',
        reason,
        ...viaOf(scope),
      }),
    );
    return view;
  });
}

/** INVITED | ACCEPTED → CANCELLED (managers); a cancelled acceptance frees its slot. */
export async function cancelAssignment(db: Db, scope: OrgScope, assignmentId: string, reason: string | null) {
  const { orgId } = scope;
  return db.transaction().execute(async (tx) => {
    const assignment = await findAssignment(tx, orgId, assignmentId);
    if (!assignment) throw notFound('Assignment');
    // The mission's lock, as accept and a move take it: the times whose hours leave the person's month are those
    // of the row a concurrent move would change only after this commits.
    await lockRow(tx, 'missions', assignment.mission_id);
    const mission = await staffableMission(tx, orgId, assignment.mission_id);
    let was: AssignmentStatus;
    if (await transition(tx, orgId, assignmentId, ['ACCEPTED'], 'CANCELLED', reason)) {
      was = 'ACCEPTED';
      await releaseSlot(tx, orgId, assignment.role_id);
      await shiftAcceptedTime(tx, orgId, [assignment.user_id], mission, -1);
    } else if (await transition(tx, orgId, assignmentId, ['INVITED'], 'CANCELLED', reason)) {
      was = 'INVITED';
    } else {
      throw refused('cancel', (await findAssignment(tx, orgId, assignmentId))!.status);
    }
    const view = toAssignment((await findAssignmentView(tx, orgId, assignmentId))!);
    await recordAudit(tx, scope, {
      orgId,
      action: 'assignment.cancel',
      entityType: 'assignment',
      entityId: assignmentId,
      before: { status: was },
      after: { status: 'CANCELLED', reason },
    });
    await recordEvent(
      tx,
      scope,
      assignmentEvent('assignment.cancelled', orgId, assignment, {
        before: { status: was },
        status: 'CANCELLED',
        reason,
      }),
    );
    return view;
  });
}

export async function getAssignment(db: Db, scope: OrgScope, assignmentId: string) {
  const row = await findAssignmentView(db, scope.orgId, assignmentId);
  if (!row) throw notFound('Assignment');
  await assertMayRespond(db, scope, row.user_id);
  return toAssignment(row);
}

/** The list's filters as the route reads them: the cursor still encoded. */
export type ListInput = Omit<AssignmentFilter, 'orgId' | 'cursor'> & { cursor?: string | undefined };

/** Managers list anything; a tech lists only the assignments of the person linked to their account. */
export async function listAssignments(db: Db, scope: OrgScope, input: ListInput) {
  const { orgId } = scope;
  // A mission outside the org answers 404 like a missing one, not an empty page.
  if (input.missionId !== undefined && !(await findStaffableMission(db, orgId, input.missionId))) {
    throw notFound('Mission');
  }
  let userId = input.userId;
  if (limitedToOwn(scope)) {
    const own = await findOwnUserId(db, scope);
    if (!own || (userId && userId !== own)) return { items: [], next_cursor: null };
    userId = own;
  }
  const cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  // A mission that started before `from` is listed while it runs: look back as far as the org's longest one.
  const earliestStart = input.from
    ? await earliestStartRunningAt(db, orgId, input.from, MAX_DURATION_MS)
    : undefined;
  const rows = await listAssignmentRows(db, { orgId, ...input, userId, cursor, earliestStart });
  return toPage(rows, input.limit, (r) => [r.mission_starts_at, r.id], toAssignment);
}
