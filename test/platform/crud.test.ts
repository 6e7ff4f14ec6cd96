import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBool, asJson, toJson, type Db } from '../../src/platform/db/database.js';
import type { DB } from '../../src/platform/db/tables.js';
import { DIALECTS, migratedDatabase, type TestDatabase } from '../helpers/database.js';

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const now = () => new Date().toISOString();

/** One valid row for every table, built in foreign-key order. */
function rows() {
  const t = now();
  const org = {
    id: randomUUID(),
    name: 'Théâtre du Soleil',
    timezone: 'Europe/Paris',
    created_at: t,
    updated_at: t,
  };
  const account = {
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    password_hash: 'x',
    active: true,
    created_at: t,
    updated_at: t,
  };
  const session = {
    id: randomUUID(),
    account_id: account.id,
    org_id: org.id,
    created_at: t,
    expires_at: t,
    ended_at: null,
  };
  const user = {
    id: randomUUID(),
    org_id: org.id,
    account_id: account.id,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: null,
    phone: null,
    employment_type: 'INTERMITTENT' as const,
    notes: null,
    active: true,
    created_at: t,
    updated_at: t,
  };
  const project = {
    id: randomUUID(),
    org_id: org.id,
    name: 'Tour 2027',
    description: null,
    status: 'DRAFT' as const,
    starts_at: null,
    ends_at: null,
    created_at: t,
    updated_at: t,
  };
  const mission = {
    id: randomUUID(),
    org_id: org.id,
    project_id: project.id,
    title: 'Load-in',
    starts_at: '2027-01-10T08:00:00.000Z',
    ends_at: '2027-01-10T16:00:00.000Z',
    location: 'Lyon',
    notes: null,
    published_at: null,
    created_at: t,
    updated_at: t,
  };
  const role = {
    id: randomUUID(),
    org_id: org.id,
    mission_id: mission.id,
    name: 'Rigger',
    quota: 2,
    skill: 'rigging',
    min_level: 3,
    accepted_count: 0,
    created_at: t,
  };
  const assignment = {
    id: randomUUID(),
    org_id: org.id,
    mission_id: mission.id,
    role_id: role.id,
    user_id: user.id,
    status: 'INVITED' as const,
    note: null,
    reason: null,
    invited_by: account.id,
    responded_at: null,
    created_at: t,
    updated_at: t,
  };
  return {
    orgs: org,
    accounts: account,
    org_memberships: {
      id: randomUUID(),
      org_id: org.id,
      account_id: account.id,
      role: 'owner' as const,
      created_at: t,
    },
    org_invitations: {
      id: randomUUID(),
      org_id: org.id,
      email: 'new@example.com',
      role: 'tech' as const,
      token_hash: randomUUID(),
      invited_by: account.id,
      expires_at: t,
      accepted_at: null,
      created_at: t,
    },
    auth_sessions: session,
    refresh_tokens: {
      id: randomUUID(),
      session_id: session.id,
      token_hash: randomUUID(),
      parent_id: null,
      created_at: t,
      expires_at: t,
      rotated_at: null,
    },
    password_reset_tokens: {
      id: randomUUID(),
      account_id: account.id,
      token_hash: randomUUID(),
      created_at: t,
      expires_at: t,
      used_at: null,
    },
    users: user,
    user_skills: { org_id: org.id, user_id: user.id, name: 'rigging', level: 4 },
    user_tags: { org_id: org.id, user_id: user.id, tag: 'lyon' },
    projects: project,
    missions: mission,
    mission_roles: role,
    assignments: assignment,
    availability: {
      id: randomUUID(),
      org_id: org.id,
      user_id: user.id,
      starts_at: mission.starts_at,
      ends_at: mission.ends_at,
      kind: 'UNAVAILABLE' as const,
      note: null,
      created_at: t,
    },
    invitations: {
      id: randomUUID(),
      org_id: org.id,
      assignment_id: assignment.id,
      token_hash: randomUUID(),
      created_by: account.id,
      created_at: t,
      expires_at: t,
      revoked_at: null,
    },
    org_rule_settings: { org_id: org.id, rule: 'min_rest_hours', value: 11, mode: 'block' as const },
    audit_log: {
      id: randomUUID(),
      org_id: org.id,
      actor_account_id: account.id,
      action: 'create',
      entity_type: 'org',
      entity_id: org.id,
      before: null,
      after: toJson({ name: org.name }),
      request_id: 'r1',
      created_at: t,
    },
  };
}

// Which column each table's CRUD test edits.
const EDITS: { [T in keyof DB]?: [keyof DB[T] & string, unknown] } = {
  orgs: ['name', 'Renamed'],
  accounts: ['active', false],
  org_memberships: ['role', 'admin'],
  org_invitations: ['role', 'manager'],
  auth_sessions: ['ended_at', '2027-01-01T00:00:00.000Z'],
  refresh_tokens: ['rotated_at', '2027-01-01T00:00:00.000Z'],
  password_reset_tokens: ['used_at', '2027-01-01T00:00:00.000Z'],
  users: ['notes', 'Has a van'],
  user_skills: ['level', 5],
  projects: ['status', 'ACTIVE'],
  missions: ['location', 'Paris'],
  mission_roles: ['accepted_count', 1],
  assignments: ['status', 'ACCEPTED'],
  availability: ['note', 'holiday'],
  invitations: ['revoked_at', '2027-01-01T00:00:00.000Z'],
  org_rule_settings: ['mode', 'warn'],
};

describe.each(DIALECTS)('the data layer on %s', (dialect) => {
  let test: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    test = await migratedDatabase(dialect);
    db = test.database.db;
  });
  afterAll(() => test.drop());

  it('creates, reads, updates and deletes a row of every table', async () => {
    const data = rows();
    for (const [table, row] of Object.entries(data)) {
      await db
        .insertInto(table as keyof DB)
        .values(row as never)
        .execute();
    }
    for (const [table, row] of Object.entries(data)) {
      const found = (
        await db
          .selectFrom(table as keyof DB)
          .selectAll()
          .execute()
      ).at(-1) as Record<string, unknown>;
      for (const [column, value] of Object.entries(row)) {
        const got = found[column];
        if (typeof value === 'boolean') expect(asBool(got as number), `${table}.${column}`).toBe(value);
        else if (column === 'after') expect(asJson(got)).toEqual({ name: data.orgs.name });
        else expect(got, `${table}.${column}`).toEqual(value);
        if (typeof value === 'string' && ISO_Z.test(value)) expect(got).toMatch(ISO_Z);
      }
    }
    for (const [table, [column, value]] of Object.entries(EDITS)) {
      await db
        .updateTable(table as keyof DB)
        .set({ [column]: value } as never)
        .execute();
      const found = (await db
        .selectFrom(table as keyof DB)
        .select(column as never)
        .executeTakeFirstOrThrow()) as Record<string, unknown>;
      if (typeof value === 'boolean') expect(asBool(found[column] as number)).toBe(value);
      else expect(found[column], `${table}.${column}`).toEqual(value);
    }
    await db.deleteFrom('user_tags').where('user_id', '=', data.users.id).execute();
    await db.deleteFrom('orgs').where('id', '=', data.orgs.id).execute();
    for (const table of Object.keys(data).filter(
      (t) =>
        !['accounts', 'audit_log', 'password_reset_tokens', 'auth_sessions', 'refresh_tokens'].includes(t),
    )) {
      const left = await db
        .selectFrom(table as keyof DB)
        .selectAll()
        .execute();
      expect(left, `${table} after deleting the org`).toEqual([]);
    }
  });

  it('keeps account-level rows when an org goes, detaching them', async () => {
    const data = rows();
    for (const table of ['orgs', 'accounts', 'auth_sessions', 'refresh_tokens'] as const) {
      await db
        .insertInto(table)
        .values(data[table] as never)
        .execute();
    }
    await db.deleteFrom('orgs').where('id', '=', data.orgs.id).execute();
    const session = await db
      .selectFrom('auth_sessions')
      .select('org_id')
      .where('id', '=', data.auth_sessions.id)
      .executeTakeFirst();
    expect(session).toEqual({ org_id: null });
  });

  it('refuses values outside the enums and the CHECK constraints', async () => {
    const data = rows();
    await db.insertInto('orgs').values(data.orgs).execute();
    await db.insertInto('accounts').values(data.accounts).execute();
    await expect(
      db
        .insertInto('org_memberships')
        .values({ ...data.org_memberships, role: 'boss' as never })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('projects')
        .values({ ...data.projects, status: 'DONE' as never })
        .execute(),
    ).rejects.toThrow();
    await db.insertInto('projects').values(data.projects).execute();
    await expect(
      db
        .insertInto('projects')
        .values({ ...data.projects, id: randomUUID() })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('missions')
        .values({ ...data.missions, ends_at: data.missions.starts_at })
        .execute(),
    ).rejects.toThrow();
    await db.insertInto('missions').values(data.missions).execute();
    await expect(
      db
        .insertInto('mission_roles')
        .values({ ...data.mission_roles, quota: 0 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('mission_roles')
        .values({ ...data.mission_roles, accepted_count: 3 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('accounts')
        .values({ ...data.accounts, id: randomUUID(), email: 'UPPER@x.io' })
        .execute(),
    ).rejects.toThrow();
  });

  it('allows one active assignment per mission and user (the partial unique index)', async () => {
    const data = rows();
    for (const table of [
      'orgs',
      'accounts',
      'users',
      'projects',
      'missions',
      'mission_roles',
      'assignments',
    ] as const) {
      await db
        .insertInto(table)
        .values(data[table] as never)
        .execute();
    }
    const again = { ...data.assignments, id: randomUUID() };
    await expect(db.insertInto('assignments').values(again).execute()).rejects.toThrow();
    await expect(
      db
        .insertInto('assignments')
        .values({ ...again, status: 'ACCEPTED' })
        .execute(),
    ).rejects.toThrow();

    await db
      .updateTable('assignments')
      .set({ status: 'DECLINED' })
      .where('id', '=', data.assignments.id)
      .execute();
    await db.insertInto('assignments').values(again).execute();
    await db.updateTable('assignments').set({ status: 'CANCELLED' }).where('id', '=', again.id).execute();
    await db
      .insertInto('assignments')
      .values({ ...again, id: randomUUID() })
      .execute();
    const statuses = await db
      .selectFrom('assignments')
      .select('status')
      .where('mission_id', '=', data.missions.id)
      .orderBy('status')
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(['CANCELLED', 'DECLINED', 'INVITED']);
  });
});
