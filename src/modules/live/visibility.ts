import { hasRole } from '../../platform/auth/roles.js';
import type { MemberRole } from '../../platform/db/tables.js';
import type { StoredEvent } from '../../platform/events.js';

/**
 * Who watches a stream, and the one rule deciding what they may see of each event: the same as the API's.
 * - `org`: a member of one org. Managers and above see the org's events (org invitations: admins); a tech sees
 *   their own assignments and availability, published missions (with only their own holding in `holders`) and
 *   their own membership changes.
 * - `me`: an account across every org: what concerns the crew profiles linked to it.
 */
export type Viewer =
  | { kind: 'org'; orgId: string; accountId: string; role: MemberRole; ownUserId: string | null }
  | { kind: 'me'; accountId: string; userIds: ReadonlySet<string> };

/** What a client receives: no subjects, actor or request id (another person's ids are not theirs to see). */
export interface WireEvent {
  id: number;
  type: string;
  org_id: string | null;
  entity_type: string;
  entity_id: string;
  payload: Record<string, unknown>;
  created_at: string;
}

/** The event as this viewer may see it, or null when they may not. */
export function visibleTo(viewer: Viewer, event: StoredEvent): WireEvent | null {
  if (event.org_id === null) return null;
  const payload = viewer.kind === 'org' ? forMember(viewer, event) : forAccount(viewer, event);
  if (!payload) return null;
  return {
    id: event.id,
    type: event.type,
    org_id: event.org_id,
    entity_type: event.entity_type,
    entity_id: event.entity_id,
    payload,
    created_at: event.created_at,
  };
}

/** A membership event about the viewer themselves: the stream must narrow (role) or end (removed). */
export function membershipChange(
  viewer: Viewer,
  event: StoredEvent,
): { removed: true } | { role: MemberRole } | null {
  if (viewer.kind !== 'org' || event.org_id !== viewer.orgId) return null;
  if (event.payload.account_id !== viewer.accountId) return null;
  if (event.type === 'member.removed') return { removed: true };
  if (event.type === 'member.role_changed') {
    const role = (event.payload.after as { role?: MemberRole } | undefined)?.role;
    return role ? { role } : null;
  }
  return null;
}

type Payload = Record<string, unknown>;

function forMember(viewer: Extract<Viewer, { kind: 'org' }>, event: StoredEvent): Payload | null {
  if (event.org_id !== viewer.orgId) return null;
  const { payload } = event;
  if (event.type.startsWith('member.') && payload.account_id === viewer.accountId) return payload;
  if (hasRole(viewer.role, 'manager')) {
    if (event.type === 'org_invitation.created' && !hasRole(viewer.role, 'admin')) return null;
    return payload;
  }
  const own = viewer.ownUserId;
  switch (event.type) {
    case 'assignment.invited':
    case 'assignment.accepted':
    case 'assignment.declined':
    case 'assignment.cancelled':
    case 'availability.changed':
      return own !== null && payload.user_id === own ? payload : null;
    case 'mission.created':
    case 'mission.published':
    case 'mission.changed':
    case 'mission.deleted':
      return wasPublished(payload)
        ? withOwnHolders(payload, own === null ? new Set() : new Set([own]))
        : null;
    default:
      // Quotas, links, invitations, other people's memberships: managers' business.
      return null;
  }
}

function forAccount(viewer: Extract<Viewer, { kind: 'me' }>, event: StoredEvent): Payload | null {
  const { payload } = event;
  switch (event.type) {
    case 'assignment.invited':
    case 'assignment.accepted':
    case 'assignment.declined':
    case 'assignment.cancelled':
    case 'availability.changed':
      return typeof payload.user_id === 'string' && viewer.userIds.has(payload.user_id) ? payload : null;
    case 'mission.changed':
    case 'mission.deleted': {
      const holders = ownHolders(payload, viewer.userIds);
      return holders.length > 0 ? { ...payload, holders } : null;
    }
    case 'member.role_changed':
    case 'member.removed':
      return payload.account_id === viewer.accountId ? payload : null;
    default:
      return null;
  }
}

function wasPublished(payload: Payload): boolean {
  const published = (side: unknown) =>
    typeof side === 'object' && side !== null && (side as { published_at?: unknown }).published_at != null;
  return published(payload.after) || published(payload.before);
}

function ownHolders(payload: Payload, userIds: ReadonlySet<string>): unknown[] {
  const holders = Array.isArray(payload.holders) ? payload.holders : [];
  return holders.filter((h) => userIds.has((h as { user_id?: string }).user_id ?? ''));
}

function withOwnHolders(payload: Payload, userIds: ReadonlySet<string>): Payload {
  return 'holders' in payload ? { ...payload, holders: ownHolders(payload, userIds) } : payload;
}
