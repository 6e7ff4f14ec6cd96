import type { Executor } from './db/database.js';
import type { OrgId } from './auth/org-scope.js';
import type { DomainEvent, EventType } from './events.js';

/**
 * The payloads of the domain events, built in one place so every service writes the same shape (docs/events.md
 * shows each). Services call `recordEvent(tx, scope, …these)` in the transaction of the change.
 */

interface AssignmentLike {
  id: string;
  mission_id: string;
  role_id: string;
  user_id: string;
  invited_by?: string | null;
}

export function assignmentEvent(
  type: Extract<EventType, `assignment.${string}`>,
  orgId: OrgId,
  a: AssignmentLike,
  change: { before?: { status: string }; status: string; reason?: string | null; via?: string },
): DomainEvent {
  return {
    orgId,
    type,
    entityType: 'assignment',
    entityId: a.id,
    subjects: { user_ids: [a.user_id], ...(a.invited_by ? { account_ids: [a.invited_by] } : {}) },
    payload: {
      assignment_id: a.id,
      mission_id: a.mission_id,
      role_id: a.role_id,
      user_id: a.user_id,
      status: change.status,
      ...(change.before ? { before: change.before } : {}),
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(a.invited_by !== undefined ? { invited_by: a.invited_by } : {}),
      ...(change.via ? { via: change.via } : {}),
    },
  };
}

/** The people holding a mission (INVITED or ACCEPTED): whom its change or deletion concerns. */
export function missionHolders(db: Executor, orgId: OrgId, missionId: string) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .select(['a.id as assignment_id', 'a.user_id', 'a.status', 'r.name as role_name'])
    .where('a.org_id', '=', orgId)
    .where('a.mission_id', '=', missionId)
    .where('a.status', 'in', ['INVITED', 'ACCEPTED'])
    .execute();
}
export type Holders = Awaited<ReturnType<typeof missionHolders>>;

const MISSION_FIELDS = ['title', 'starts_at', 'ends_at', 'location', 'notes', 'published_at'] as const;
type MissionFields = { id: string; project_id?: string } & Partial<
  Record<(typeof MISSION_FIELDS)[number], string | null>
>;

const pick = (m: MissionFields) => Object.fromEntries(MISSION_FIELDS.map((f) => [f, m[f] ?? null]));

/** `mission.changed` with the fields that changed, before and after, and who holds it; null when nothing did. */
export function missionChanged(
  orgId: OrgId,
  before: MissionFields,
  after: MissionFields,
  holders: Holders,
): DomainEvent | null {
  const changed = MISSION_FIELDS.filter((f) => (before[f] ?? null) !== (after[f] ?? null));
  if (changed.length === 0) return null;
  return {
    orgId,
    type: 'mission.changed',
    entityType: 'mission',
    entityId: before.id,
    subjects: { user_ids: [...new Set(holders.map((h) => h.user_id))] },
    payload: {
      mission_id: before.id,
      project_id: before.project_id ?? null,
      changed,
      before: pick(before),
      after: pick(after),
      holders,
    },
  };
}

export function missionEvent(
  type: 'mission.created' | 'mission.published' | 'mission.deleted',
  orgId: OrgId,
  mission: MissionFields,
  holders: Holders = [],
): DomainEvent {
  return {
    orgId,
    type,
    entityType: 'mission',
    entityId: mission.id,
    subjects: { user_ids: [...new Set(holders.map((h) => h.user_id))] },
    payload: {
      mission_id: mission.id,
      project_id: mission.project_id ?? null,
      ...(type === 'mission.deleted' ? { before: pick(mission), holders } : { after: pick(mission) }),
    },
  };
}
