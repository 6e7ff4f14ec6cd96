import type { Insertable } from 'kysely';
import { recordAudit, type Actor } from '../platform/audit.js';
import { hashPassword } from '../platform/auth/passwords.js';
import { DAY, HOUR } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/database.js';
import type {
  AccountsTable,
  AssignmentStatus,
  AssignmentsTable,
  AvailabilityTable,
  DB,
  EmploymentType,
  MemberRole,
  MissionRolesTable,
  MissionsTable,
  OrgMembershipsTable,
  ProjectStatus,
  ProjectsTable,
  UsersTable,
  UserSkillsTable,
  UserTagsTable,
} from '../platform/db/tables.js';
import { zonedDateTimeToUtc } from '../platform/timezone.js';
import { insertMissions, insertRoles } from '../modules/missions/missions.repository.js';
import { Random } from './prng.js';
import {
  CITIES,
  FIRST_NAMES,
  GENERIC_ROLES,
  LAST_NAMES,
  MISSION_KINDS,
  PROJECT_KINDS,
  PROJECT_NAMES,
  SKILLS,
  TAGS,
  VENUES,
} from './vocabulary.js';

export const DEMO_ORG_NAME = 'Demo Productions';
export const DEMO_TIMEZONE = 'Europe/Paris';
export const DEMO_DOMAIN = 'demo.example';
/** Every demo account logs in with this password (documented in the README). */
export const DEMO_PASSWORD = 'coulisses-demo-2026';
/** The member accounts, one per role: `owner@demo.example`, … */
export const DEMO_MEMBERS: readonly MemberRole[] = ['owner', 'admin', 'manager', 'tech'];
/** Minimum rest kept between two ACCEPTED missions of one user (the default labour rule). */
const REST_MS = 11 * HOUR;
/** Missions generated, linked and inserted per transaction. */
const MISSION_BATCH = 2000;

export interface DemoOptions {
  users: number;
  missions: number;
  /** Missions span this many months, half before and half after `today`. */
  months: number;
  seed: number;
  /** The day the dataset is centred on (default: now). Fix it for byte-identical datasets on any day. */
  today?: Date;
  /** A precomputed hash of DEMO_PASSWORD (tests save the 15 ms). */
  passwordHash?: string;
}

export const DEMO_DEFAULTS = { users: 2000, missions: 20_000, months: 12, seed: 42 } as const;

export interface DemoSummary {
  org_id: string;
  accounts: number;
  users: number;
  projects: number;
  missions: number;
  roles: number;
  assignments: number;
  assignments_by_status: Record<AssignmentStatus, number>;
  availability: number;
  elapsed_ms: number;
}

export class DemoExistsError extends Error {
  constructor() {
    super(`a demo dataset is already in this database (${DEMO_ORG_NAME}, *@${DEMO_DOMAIN}): pass --reset`);
  }
}

/** Is the demo org (or one of its accounts) already in this database? */
export async function demoExists(db: Executor): Promise<boolean> {
  const account = await db
    .selectFrom('accounts')
    .select('id')
    .where('email', 'like', `%@${DEMO_DOMAIN}`)
    .limit(1)
    .executeTakeFirst();
  return account !== undefined;
}

/**
 * Removes a previous demo dataset: the orgs the demo owner owns and every `*@demo.example` account. Deletes
 * children first, by `org_id`, so no cascade has to search an unindexed foreign key row by row.
 */
export async function resetDemo(db: Db): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const orgs = await tx
      .selectFrom('org_memberships as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .select('m.org_id')
      .where('a.email', '=', `owner@${DEMO_DOMAIN}`)
      .where('m.role', '=', 'owner')
      .execute();
    for (const { org_id: orgId } of orgs) {
      const tables = [
        'invitations',
        'assignments',
        'availability',
        'mission_roles',
        'missions',
        'projects',
        'user_tags',
        'user_skills',
        'users',
        'org_rule_settings',
        'org_invitations',
        'org_memberships',
      ] as const;
      for (const table of tables) await tx.deleteFrom(table).where('org_id', '=', orgId).execute();
      await tx.deleteFrom('orgs').where('id', '=', orgId).execute();
    }
    await tx.deleteFrom('accounts').where('email', 'like', `%@${DEMO_DOMAIN}`).execute();
  });
}

/** Multi-row inserts well under both dialects' bound-parameter limits (SQLite 32766, PostgreSQL 65535). */
async function insertRows<T extends keyof DB>(
  db: Executor,
  table: T,
  rows: Insertable<DB[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length;
  const chunk = Math.max(1, Math.min(1000, Math.floor(30_000 / columns)));
  for (let i = 0; i < rows.length; i += chunk) {
    await db
      .insertInto(table)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely cannot relate a generic table to its rows
      .values(rows.slice(i, i + chunk) as any)
      .execute();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();

/** YYYY-MM-DD of a UTC-midnight day number (days since epoch). */
const dateOf = (day: number) => iso(day * DAY).slice(0, 10);

interface Crew {
  id: string;
  active: boolean;
  /** End (ms) of the last ACCEPTED mission: missions are linked in start order, so this detects overlaps. */
  busyUntil: number;
}

/**
 * Writes a realistic, reproducible dataset through the tables the API uses: the same options (and `today`)
 * always write the same rows, ids included. Refuses to write over an existing demo dataset.
 */
export async function seedDemo(db: Db, options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  if (await demoExists(db)) throw new DemoExistsError();
  const rng = new Random(options.seed);
  const todayDay = Math.floor((options.today ?? new Date()).getTime() / DAY);
  const now = todayDay * DAY + 8 * HOUR; // "now" of the dataset: 08:00 UTC today
  const spanDays = Math.max(1, Math.round(options.months * 30.44));
  const firstDay = todayDay - Math.floor(spanDays / 2);
  const lastDay = firstDay + spanDays - 1;
  const orgCreated = iso((firstDay - 60) * DAY + 9 * HOUR);
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));

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
  const linkedCrew = Math.min(options.users, Math.max(1, Math.round(options.users * 0.05)));

  // The roster.
  const users: Insertable<UsersTable>[] = [];
  const skills: Insertable<UserSkillsTable>[] = [];
  const tags: Insertable<UserTagsTable>[] = [];
  const crew: Crew[] = [];
  /** skill → [crew index, level] */
  const bySkill = new Map<string, [number, number][]>(SKILLS.map(([skill]) => [skill, []]));
  for (let i = 0; i < options.users; i++) {
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

  // Projects, each over a stretch of the window.
  const projectCount = Math.max(3, Math.round(options.missions / 40));
  const projects: (Insertable<ProjectsTable> & {
    firstDay: number;
    days: number;
    label: string;
    city: string;
  })[] = [];
  const projectNames = new Set<string>();
  for (let i = 0; i < projectCount; i++) {
    const [label, kind] = rng.pick(PROJECT_KINDS);
    const city = rng.pick(CITIES);
    const days =
      kind === 'tour'
        ? rng.int(20, 120)
        : kind === 'festival'
          ? rng.int(3, 10)
          : kind === 'fair'
            ? rng.int(2, 5)
            : rng.int(1, 30);
    const start = rng.int(firstDay - 10, lastDay - 1);
    const first = Math.max(firstDay, start);
    const end = Math.max(first, Math.min(lastDay, start + days - 1));
    let name = `${label} ${rng.pick(PROJECT_NAMES)} ${kind === 'tour' ? dateOf(first).slice(0, 4) : city}`;
    for (let n = 2; projectNames.has(name); n++) name = `${name.replace(/ #\d+$/, '')} #${n}`;
    projectNames.add(name);
    const status: ProjectStatus =
      end < todayDay
        ? rng.chance(0.7)
          ? 'ARCHIVED'
          : 'ACTIVE'
        : first > todayDay + 30 && rng.chance(0.4)
          ? 'DRAFT'
          : 'ACTIVE';
    const created = iso(Math.min(first - 45, todayDay) * DAY + 9 * HOUR);
    projects.push({
      id: rng.uuid(),
      org_id: orgId,
      name,
      description: rng.chance(0.5) ? `${label} ${kind === 'tour' ? 'en France' : `à ${city}`}` : null,
      status,
      starts_at: zonedDateTimeToUtc(dateOf(first), '00:00', DEMO_TIMEZONE),
      ends_at: zonedDateTimeToUtc(dateOf(end + 1), '00:00', DEMO_TIMEZONE),
      created_at: created,
      updated_at: created,
      firstDay: first,
      days: end - first + 1,
      label: name,
      city,
    });
  }

  // Mission slots, then sorted by start so overlaps can be checked with one "busy until" per user.
  const zoned = new Map<string, number>();
  const localToUtc = (date: string, time: string) => {
    const key = `${date}T${time}`;
    let ms = zoned.get(key);
    if (ms === undefined) {
      ms = Date.parse(zonedDateTimeToUtc(date, time, DEMO_TIMEZONE));
      zoned.set(key, ms);
    }
    return ms;
  };
  interface Slot {
    project: number;
    kind: string;
    starts: number;
    ends: number;
    venue: string;
    seq: number;
  }
  const slots: Slot[] = [];
  for (let i = 0; i < options.missions; i++) {
    const project = rng.int(0, projects.length - 1);
    const p = projects[project]!;
    const spec = rng.weighted(MISSION_KINDS.map((k) => [k, k.weight] as const));
    const starts = localToUtc(dateOf(p.firstDay + rng.int(0, p.days - 1)), rng.pick(spec.starts));
    const hours = rng.int(spec.hours[0], spec.hours[1]);
    const ends = starts + hours * HOUR + (rng.chance(0.3) ? 30 * 60_000 : 0);
    slots.push({ project, kind: spec.kind, starts, ends, venue: rng.pick(VENUES), seq: i });
  }
  slots.sort((a, b) => a.starts - b.starts || a.seq - b.seq);

  const counts: Record<AssignmentStatus, number> = { INVITED: 0, ACCEPTED: 0, DECLINED: 0, CANCELLED: 0 };
  let roleCount = 0;
  let availabilityCount = 0;

  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('orgs')
      .values({
        id: orgId,
        name: DEMO_ORG_NAME,
        timezone: DEMO_TIMEZONE,
        created_at: orgCreated,
        updated_at: orgCreated,
      })
      .execute();
    await insertRows(tx, 'accounts', accounts);
    await insertRows(tx, 'org_memberships', memberships);
    await insertRows(tx, 'users', users);
    await insertRows(tx, 'user_skills', skills);
    await insertRows(tx, 'user_tags', tags);
    await insertRows(
      tx,
      'projects',
      projects.map(({ firstDay: _f, days: _d, label: _l, city: _c, ...row }) => row),
    );
  });

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

  // Availability: about one declaration per person and month (holidays, other jobs, open windows).
  let availability: Insertable<AvailabilityTable>[] = [];
  const flush = async () => {
    const rows = availability;
    availability = [];
    availabilityCount += rows.length;
    await db.transaction().execute((tx) => insertRows(tx, 'availability', rows));
  };
  for (const person of crew) {
    for (let m = 0; m < options.months; m++) {
      if (!rng.chance(0.7)) continue;
      const unavailable = rng.chance(0.4);
      const startDay = firstDay + Math.floor(m * 30.44) + rng.int(0, 25);
      const days = unavailable ? rng.int(1, 7) : rng.int(2, 10);
      const starts = localToUtc(dateOf(startDay), '00:00');
      availability.push({
        id: rng.uuid(),
        org_id: orgId,
        user_id: person.id,
        starts_at: iso(starts),
        ends_at: iso(localToUtc(dateOf(startDay + days), '00:00')),
        kind: unavailable ? 'UNAVAILABLE' : 'AVAILABLE',
        note: unavailable ? rng.pick(['Congés', 'Formation', 'Autre production', null]) : null,
        created_at: iso(Math.min(starts - 14 * DAY, now)),
      });
    }
    if (availability.length >= 10_000) await flush();
  }
  await flush();

  const actor: Actor = { accountId: null, requestId: `demo-seed-${options.seed}` };
  const summary: DemoSummary = {
    org_id: orgId,
    accounts: accounts.length,
    users: users.length,
    projects: projects.length,
    missions: slots.length,
    roles: roleCount,
    assignments: counts.INVITED + counts.ACCEPTED + counts.DECLINED + counts.CANCELLED,
    assignments_by_status: counts,
    availability: availabilityCount,
    elapsed_ms: 0,
  };
  await recordAudit(db, actor, {
    orgId,
    action: 'demo.seed',
    entityType: 'org',
    entityId: orgId,
    after: {
      ...options,
      passwordHash: undefined,
      today: dateOf(todayDay),
      counts: { ...summary, elapsed_ms: undefined },
    },
  });
  summary.elapsed_ms = Math.round(performance.now() - started);
  return summary;
}
