import type { Insertable } from 'kysely';
import { DAY, HOUR } from '../platform/clock.js';
import type {
  AccountsTable,
  EmploymentType,
  MemberRole,
  OrgMembershipsTable,
  UsersTable,
  UserSkillsTable,
  UserTagsTable,
} from '../platform/db/tables.js';
import { ascii, DEMO_DOMAIN, DEMO_MEMBERS, iso, type Crew, type DemoCalendar } from './dataset.js';
import type { Random } from './prng.js';
import { CITIES, FIRST_NAMES, LAST_NAMES, SKILLS, TAGS } from './vocabulary.js';

export interface DemoRoster {
  orgId: string;
  accounts: Insertable<AccountsTable>[];
  memberships: Insertable<OrgMembershipsTable>[];
  /** the member account of each role */
  memberIds: Record<MemberRole, string>;
  users: Insertable<UsersTable>[];
  skills: Insertable<UserSkillsTable>[];
  tags: Insertable<UserTagsTable>[];
  crew: Crew[];
  /** skill → [crew index, level], active crew only */
  bySkill: Map<string, [number, number][]>;
  /** indexes in `crew` of the active ones */
  activeCrew: number[];
}

/**
 * The org's id, its member accounts (one per role), and the roster: people with skills, tags and, for a slice of
 * them, a login (the crew who use the app).
 */
export function buildRoster(
  rng: Random,
  userCount: number,
  calendar: DemoCalendar,
  passwordHash: string,
): DemoRoster {
  const { firstDay, orgCreated } = calendar;
  // Accounts: one per member role, plus logins for a slice of the roster (the crew who use the app).
  const orgId = rng.uuid();
  const accounts: Insertable<AccountsTable>[] = [];
  const memberships: Insertable<OrgMembershipsTable>[] = [];
  const addAccount = (email: string, role: MemberRole) => {
    const id = rng.uuid();
    accounts.push({
      id,
      email,
      password_hash: passwordHash,
      active: true,
      created_at: orgCreated,
      updated_at: orgCreated,
    });
    memberships.push({ id: rng.uuid(), org_id: orgId, account_id: id, role, created_at: orgCreated });
    return id;
  };
  const memberIds = Object.fromEntries(
    DEMO_MEMBERS.map((role) => [role, addAccount(`${role}@${DEMO_DOMAIN}`, role)]),
  ) as Record<MemberRole, string>;
  const linkedCrew = Math.min(userCount, Math.max(1, Math.round(userCount * 0.05)));

  // The roster.
  const users: Insertable<UsersTable>[] = [];
  const skills: Insertable<UserSkillsTable>[] = [];
  const tags: Insertable<UserTagsTable>[] = [];
  const crew: Crew[] = [];
  /** skill → [crew index, level] */
  const bySkill = new Map<string, [number, number][]>(SKILLS.map(([skill]) => [skill, []]));
  for (let i = 0; i < userCount; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const id = rng.uuid();
    const accountId =
      i === 0
        ? memberIds.tech
        : i < linkedCrew
          ? addAccount(`crew${String(i).padStart(5, '0')}@${DEMO_DOMAIN}`, 'tech')
          : null;
    const active = i < linkedCrew || rng.chance(0.95);
    const employment = rng.weighted<EmploymentType>([
      ['INTERMITTENT', 50],
      ['FREELANCE', 20],
      ['CDI', 15],
      ['CDD', 10],
      ['OTHER', 5],
    ]);
    const created = iso((firstDay - 60 + rng.int(0, 50)) * DAY + 10 * HOUR);
    users.push({
      id,
      org_id: orgId,
      account_id: accountId,
      first_name: first,
      last_name: last,
      email: rng.chance(0.85) ? `${ascii(first)}.${ascii(last)}.${i}@crew.${DEMO_DOMAIN}` : null,
      phone: rng.chance(0.9)
        ? `+33 6 ${[0, 0, 0, 0].map(() => String(rng.int(0, 99)).padStart(2, '0')).join(' ')}`
        : null,
      employment_type: employment,
      notes: rng.chance(0.1)
        ? rng.pick(['Préfère les tournées', 'Disponible le week-end', 'Véhiculé'])
        : null,
      active,
      created_at: created,
      updated_at: created,
    });
    const userSkills = rng.sample(
      SKILLS,
      rng.weighted([
        [1, 30],
        [2, 35],
        [3, 25],
        [4, 10],
      ] as const),
    );
    for (const [skill] of userSkills) {
      const level = rng.weighted([
        [1, 10],
        [2, 25],
        [3, 35],
        [4, 20],
        [5, 10],
      ] as const);
      skills.push({ org_id: orgId, user_id: id, name: skill, level });
      if (active) bySkill.get(skill)!.push([i, level]);
    }
    const userTags = new Set<string>([rng.pick(CITIES).toLowerCase()]);
    if (rng.chance(0.6)) userTags.add('permis-b');
    if (userSkills.some(([skill]) => skill === 'forklift')) userTags.add('cariste');
    if (rng.chance(0.25)) userTags.add(rng.pick(TAGS));
    for (const tag of userTags) tags.push({ org_id: orgId, user_id: id, tag });
    crew.push({ id, active, busyUntil: 0 });
  }
  const activeCrew = crew.map((_, i) => i).filter((i) => crew[i]!.active);
  return { orgId, accounts, memberships, memberIds, users, skills, tags, crew, bySkill, activeCrew };
}
