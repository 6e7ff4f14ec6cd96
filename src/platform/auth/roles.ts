import type { MemberRole } from '../db/tables.js';

const RANK: Record<MemberRole, number> = { tech: 1, manager: 2, admin: 3, owner: 4 };

/** owner > admin > manager > tech */
export function hasRole(role: MemberRole | null | undefined, minimum: MemberRole): boolean {
  return role !== null && role !== undefined && RANK[role] >= RANK[minimum];
}

export function roleRank(role: MemberRole): number {
  return RANK[role];
}
