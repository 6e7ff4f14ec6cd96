import { recordAudit, type Actor } from '../platform/audit.js';
import { trustedOrgId } from '../platform/auth/org-scope.js';
import { hashPassword } from '../platform/auth/passwords.js';
import type { Db, Executor } from '../platform/db/database.js';
import type { AssignmentStatus } from '../platform/db/tables.js';
import { writeAvailability } from './availability.js';
import {
  dateOf,
  DEMO_DOMAIN,
  DEMO_ORG_NAME,
  DEMO_PASSWORD,
  DEMO_TIMEZONE,
  demoCalendar,
  insertRows,
} from './dataset.js';
import { writeStaffedMissions } from './missions.js';
import { Random } from './prng.js';
import { buildProjects, planSlots } from './projects.js';
import { buildRoster } from './roster.js';
import {
  rebuildAcceptedTime,
  recomputeLongestMission,
} from '../modules/staffing/month-minutes.repository.js';

export { DEMO_DOMAIN, DEMO_MEMBERS, DEMO_ORG_NAME, DEMO_PASSWORD, DEMO_TIMEZONE } from './dataset.js';

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
        'person_month_minutes',
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

/**
 * Writes a realistic, reproducible dataset through the tables the API uses: the same options (and `today`)
 * always write the same rows, ids included. Refuses to write over an existing demo dataset.
 *
 * One random stream feeds every step in a fixed order (roster, projects, mission slots, missions and their
 * staffing, availability): reordering the steps would change the dataset a seed draws.
 */
export async function seedDemo(db: Db, options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  if (await demoExists(db)) throw new DemoExistsError();
  const rng = new Random(options.seed);
  const calendar = demoCalendar(options.today ?? new Date(), options.months);
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));

  const roster = buildRoster(rng, options.users, calendar, passwordHash);
  const { orgId } = roster;
  const projects = buildProjects(rng, options.missions, calendar, orgId);
  const slots = planSlots(rng, options.missions, projects, calendar);

  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('orgs')
      .values({
        id: orgId,
        name: DEMO_ORG_NAME,
        timezone: DEMO_TIMEZONE,
        created_at: calendar.orgCreated,
        updated_at: calendar.orgCreated,
      })
      .execute();
    await insertRows(tx, 'accounts', roster.accounts);
    await insertRows(tx, 'org_memberships', roster.memberships);
    await insertRows(tx, 'users', roster.users);
    await insertRows(tx, 'user_skills', roster.skills);
    await insertRows(tx, 'user_tags', roster.tags);
    await insertRows(
      tx,
      'projects',
      projects.map(({ firstDay: _f, days: _d, label: _l, city: _c, ...row }) => row),
    );
  });
  const staffed = await writeStaffedMissions(db, rng, roster, projects, slots, calendar.now);
  // The seed writes rows around the services: derive the kept facts they would have maintained.
  await db.transaction().execute(async (tx) => {
    await rebuildAcceptedTime(tx, trustedOrgId(orgId), DEMO_TIMEZONE);
    await recomputeLongestMission(tx, trustedOrgId(orgId));
  });
  const counts = staffed.assignmentsByStatus;
  const availability = await writeAvailability(db, rng, orgId, roster.crew, options.months, calendar);

  const actor: Actor = { accountId: null, requestId: `demo-seed-${options.seed}` };
  const summary: DemoSummary = {
    org_id: orgId,
    accounts: roster.accounts.length,
    users: roster.users.length,
    projects: projects.length,
    missions: slots.length,
    roles: staffed.roles,
    assignments: counts.INVITED + counts.ACCEPTED + counts.DECLINED + counts.CANCELLED,
    assignments_by_status: counts,
    availability,
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
      today: dateOf(calendar.todayDay),
      counts: { ...summary, elapsed_ms: undefined },
    },
  });
  summary.elapsed_ms = Math.round(performance.now() - started);
  return summary;
}
