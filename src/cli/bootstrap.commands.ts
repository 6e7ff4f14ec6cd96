import { parseArgs } from 'node:util';
import { findAccountByEmail, insertAccount, setPasswordHash } from '../modules/auth/accounts.repository.js';
import { endAccountSessions } from '../modules/auth/sessions.repository.js';
import { findMembership, findOrg, insertMembership } from '../modules/orgs/orgs.repository.js';
import { createOrg } from '../modules/orgs/orgs.service.js';
import { recordAudit, type Actor } from '../platform/audit.js';
import { cliScope } from '../platform/auth/org-scope.js';
import { assertAcceptablePassword, hashPassword } from '../platform/auth/passwords.js';
import { randomToken } from '../platform/auth/secrets.js';
import { newId } from '../platform/clock.js';
import { loadDatabaseConfig } from '../config.js';
import { createDatabase, type Db } from '../platform/db/database.js';
import { MEMBER_ROLES, type MemberRole } from '../platform/db/tables.js';
import type { CliCommand } from './io.js';

/** Operations done from a shell are audited too, with no account as actor. */
const cliActor = (): Actor => ({ accountId: null, requestId: `cli-${newId()}` });

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required`);
  return value.trim();
}

/** Finds the account, or creates it with the password (or an unusable random one, to be reset by email). */
async function ensureAccount(db: Db, email: string, password: string | undefined) {
  const existing = await findAccountByEmail(db, email);
  if (existing) return existing;
  if (password) assertAcceptablePassword(password, 'password');
  const account = await insertAccount(db, email, await hashPassword(password ?? randomToken()));
  await recordAudit(db, cliActor(), {
    orgId: null,
    action: 'account.create',
    entityType: 'account',
    entityId: account.id,
    after: { email: account.email },
  });
  return account;
}

async function orgCreate(db: Db, args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      timezone: { type: 'string' },
    },
  });
  const account = await ensureAccount(
    db,
    required(values, 'owner-email'),
    required(values, 'owner-password'),
  );
  const { org } = await createOrg(
    db,
    cliActor(),
    { name: required(values, 'name'), timezone: values.timezone },
    account.id,
  );
  return { org_id: org.id, account_id: account.id };
}

async function memberAdd(db: Db, args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const role = required(values, 'role') as MemberRole;
  if (!MEMBER_ROLES.includes(role)) throw new UsageError(`--role must be one of ${MEMBER_ROLES.join(', ')}`);
  const orgArg = required(values, 'org');
  const scope = cliScope(orgArg, null, `cli-${newId()}`);
  if (!/^[0-9a-f-]{36}$/i.test(orgArg) || !(await findOrg(db, scope.orgId)))
    throw new UsageError(`org ${orgArg} not found`);
  const { orgId } = scope;
  const account = await ensureAccount(db, required(values, 'email'), values.password);
  if (await findMembership(db, orgId, account.id))
    throw new UsageError(`${account.email} is already a member of this org`);
  const membership = await db.transaction().execute(async (tx) => {
    const created = await insertMembership(tx, orgId, account.id, role);
    await recordAudit(tx, scope, {
      orgId,
      action: 'member.add',
      entityType: 'membership',
      entityId: created.id,
      after: { account_id: account.id, role },
    });
    return created;
  });
  return { account_id: account.id, membership_id: membership.id };
}

async function accountSetPassword(db: Db, args: string[]) {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  const password = required(values, 'password');
  assertAcceptablePassword(password, 'password');
  const account = await findAccountByEmail(db, required(values, 'email'));
  if (!account) throw new UsageError(`no account with email ${values.email}`);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    await setPasswordHash(tx, account.id, passwordHash);
    await endAccountSessions(tx, account.id);
    await recordAudit(tx, cliActor(), {
      orgId: null,
      action: 'auth.password_set',
      entityType: 'account',
      entityId: account.id,
    });
  });
  return { account_id: account.id };
}

const COMMANDS: Record<string, Record<string, (db: Db, args: string[]) => Promise<object>>> = {
  org: { create: orgCreate },
  member: { add: memberAdd },
  account: { 'set-password': accountSetPassword },
};

/** `crew org create`, `crew member add`, `crew account set-password`: one JSON object on stdout. */
export function bootstrapCommand(group: string): CliCommand {
  return async (args, { env, io }) => {
    const [name, ...rest] = args;
    const command = name ? COMMANDS[group]?.[name] : undefined;
    if (!command) {
      io.err(`unknown command: crew ${group} ${name ?? ''} (see crew --help)`);
      return 2;
    }
    const database = createDatabase(loadDatabaseConfig(env), { poolSize: 1 });
    try {
      io.out(JSON.stringify(await command(database.db, rest)));
      return 0;
    } catch (error) {
      io.err(`error: ${(error as Error).message}`);
      return error instanceof UsageError || (error as { status?: number }).status === 400 ? 2 : 1;
    } finally {
      await database.close();
    }
  };
}
