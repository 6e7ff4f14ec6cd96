import type { Insertable } from 'kysely';
import { DAY, HOUR } from '../platform/clock.js';
import type { Db } from '../platform/db/database.js';
import type {
  AssignmentStatus,
  AssignmentsTable,
  MissionRolesTable,
  MissionsTable,
} from '../platform/db/tables.js';
import { insertMissions, insertRoles } from '../modules/missions/missions.repository.js';
import { insertRows, iso, REST_MS } from './dataset.js';
import type { DemoProject, Slot } from './projects.js';
import type { Random } from './prng.js';
import type { DemoRoster } from './roster.js';
import { GENERIC_ROLES, SKILLS } from './vocabulary.js';

/** Missions generated, linked and inserted per transaction. */
const MISSION_BATCH = 2000;

export interface StaffedMissions {
  assignmentsByStatus: Record<AssignmentStatus, number>;
  roles: number;
}

/**
 * Writes the missions of the slots, in start order, with their roles and assignments in every status: published
 * missions invite qualified, rested people first, and never accept anyone twice at once or beyond a role's quota.
 */
export async function writeStaffedMissions(
  db: Db,
  rng: Random,
  roster: DemoRoster,
  projects: DemoProject[],
  slots: Slot[],
  now: number,
): Promise<StaffedMissions> {
  const { orgId, crew, bySkill, activeCrew, memberIds } = roster;
  const counts: Record<AssignmentStatus, number> = { INVITED: 0, ACCEPTED: 0, DECLINED: 0, CANCELLED: 0 };
  let roleCount = 0;

  const pickCandidate = (skill: string | null, minLevel: number | null, taken: Set<number>, free: number) => {
    // Prefer a qualified, free person; fall back to any qualified one, then anyone active.
    const pool = skill ? bySkill.get(skill)! : null;
    let fallback = -1;
    for (let attempt = 0; attempt < 12; attempt++) {
      let index: number;
      if (pool && pool.length > 0 && attempt < 10) {
        const [candidate, level] = pool[Math.floor(rng.next() * pool.length)]!;
        if (minLevel !== null && level < minLevel) continue;
        index = candidate;
      } else {
        if (activeCrew.length === 0) return -1;
        index = activeCrew[Math.floor(rng.next() * activeCrew.length)]!;
      }
      if (taken.has(index)) continue;
      if (crew[index]!.busyUntil + REST_MS <= free) return index;
      if (fallback < 0) fallback = index;
    }
    return fallback;
  };

  for (let b = 0; b < slots.length; b += MISSION_BATCH) {
    const missions: Insertable<MissionsTable>[] = [];
    const roles: Insertable<MissionRolesTable>[] = [];
    const assignments: Insertable<AssignmentsTable>[] = [];
    for (const slot of slots.slice(b, b + MISSION_BATCH)) {
      const p = projects[slot.project]!;
      const id = rng.uuid();
      const created = Math.min(slot.starts - rng.int(7, 60) * DAY, now - rng.int(0, 3) * DAY);
      const published = p.status !== 'DRAFT' && rng.chance(0.92);
      missions.push({
        id,
        org_id: orgId,
        project_id: p.id!,
        title: `${slot.kind} — ${p.label}`,
        starts_at: iso(slot.starts),
        ends_at: iso(slot.ends),
        location: `${slot.venue}, ${p.city}`,
        notes: rng.chance(0.15)
          ? rng.pick(['Accès quai B', 'Chaussures de sécurité', 'Repas fourni', 'Badge à retirer'])
          : null,
        published_at: published ? iso(created + HOUR) : null,
        created_at: iso(created),
        updated_at: iso(published ? created + HOUR : created),
      });
      const past = slot.ends <= now;
      const taken = new Set<number>();
      const roleSkills = rng.sample(SKILLS, 4);
      const roleTotal = rng.weighted([
        [1, 30],
        [2, 35],
        [3, 23],
        [4, 12],
      ] as const);
      for (let r = 0; r < roleTotal; r++) {
        const generic = rng.chance(0.2);
        const [skill, roleName] = generic ? [null, rng.pick(GENERIC_ROLES)] : roleSkills[r]!;
        const quota = rng.weighted([
          [1, 40],
          [2, 30],
          [3, 12],
          [4, 8],
          [5, 5],
          [6, 5],
        ] as const);
        const minLevel = skill && rng.chance(0.4) ? rng.int(2, 4) : null;
        const roleId = rng.uuid();
        let accepted = 0;
        if (published) {
          const invites =
            quota +
            rng.weighted([
              [0, 45],
              [1, 35],
              [2, 20],
            ] as const);
          for (let k = 0; k < invites; k++) {
            const index = pickCandidate(skill, minLevel, taken, slot.starts);
            if (index < 0) break;
            taken.add(index);
            const person = crew[index]!;
            let status = rng.weighted<AssignmentStatus>(
              past
                ? [
                    ['ACCEPTED', 75],
                    ['DECLINED', 13],
                    ['CANCELLED', 8],
                    ['INVITED', 4],
                  ]
                : [
                    ['ACCEPTED', 40],
                    ['INVITED', 40],
                    ['DECLINED', 12],
                    ['CANCELLED', 8],
                  ],
            );
            if (status === 'ACCEPTED' && (accepted >= quota || person.busyUntil + REST_MS > slot.starts)) {
              status = past ? 'DECLINED' : 'INVITED';
            }
            if (status === 'ACCEPTED') {
              accepted++;
              person.busyUntil = Math.max(person.busyUntil, slot.ends);
            }
            counts[status]++;
            const invited = Math.min(created + HOUR + rng.int(0, 4) * DAY, now, slot.starts - HOUR);
            const responded = status === 'INVITED' ? null : Math.min(invited + rng.int(1, 48) * HOUR, now);
            assignments.push({
              id: rng.uuid(),
              org_id: orgId,
              mission_id: id,
              role_id: roleId,
              user_id: person.id,
              status,
              note: rng.chance(0.05) ? 'Prévoir gants' : null,
              reason:
                status === 'DECLINED'
                  ? rng.pick(['Pas disponible', 'Déjà engagé ailleurs', 'Trop loin'])
                  : status === 'CANCELLED'
                    ? rng.pick(['Mission réduite', 'Remplacé'])
                    : null,
              invited_by: memberIds.manager,
              responded_at: responded === null ? null : iso(Math.max(responded, invited)),
              created_at: iso(invited),
              updated_at: iso(responded === null ? invited : Math.max(responded, invited)),
            });
          }
        }
        roles.push({
          id: roleId,
          org_id: orgId,
          mission_id: id,
          name: roleName,
          quota,
          skill,
          min_level: minLevel,
          accepted_count: accepted,
          created_at: iso(created),
        });
      }
    }
    roleCount += roles.length;
    await db.transaction().execute(async (tx) => {
      await insertMissions(tx, missions as Parameters<typeof insertMissions>[1]);
      await insertRoles(tx, roles as Parameters<typeof insertRoles>[1]);
      await insertRows(tx, 'assignments', assignments);
    });
  }
  return { assignmentsByStatus: counts, roles: roleCount };
}
