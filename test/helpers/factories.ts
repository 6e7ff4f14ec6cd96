import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createSigner } from 'fast-jwt';
import { insertAccount } from '../../src/modules/auth/accounts.repository.js';
import { insertSession } from '../../src/modules/auth/sessions.repository.js';
import { insertMembership, insertOrg } from '../../src/modules/orgs/orgs.repository.js';
import type { OrgId } from '../../src/platform/auth/org-scope.js';
import { hashPassword } from '../../src/platform/auth/passwords.js';
import { DAY, isoIn } from '../../src/platform/clock.js';
import type { MemberRole } from '../../src/platform/db/tables.js';

export const PASSWORD = 'Correct-Horse-Battery-9';
let passwordHash: Promise<string> | undefined;

export const uniqueEmail = (prefix = 'crew') => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An account whose password is PASSWORD (hashed once per test file: argon2id is slow on purpose). */
export async function createAccount(app: FastifyInstance, email = uniqueEmail()) {
  passwordHash ??= hashPassword(PASSWORD);
  return insertAccount(app.database.db, email, await passwordHash);
}

/** A live session and its access token, without the cost of a login. */
export async function tokenFor(app: FastifyInstance, accountId: string, orgId: string | null) {
  const session = await insertSession(app.database.db, accountId, orgId, isoIn(DAY));
  return app.tokens.sign({ sub: accountId, org: orgId, sid: session.id }).token;
}

export interface Member {
  accountId: string;
  email: string;
  role: MemberRole;
  token: string;
  headers: { authorization: string };
}

export interface OrgFixture {
  orgId: OrgId;
  name: string;
  owner: Member;
  admin: Member;
  manager: Member;
  tech: Member;
}

/** An org with one member of each role, each with a token scoped to it. */
export async function createOrgFixture(
  app: FastifyInstance,
  name = `Org ${randomUUID().slice(0, 8)}`,
): Promise<OrgFixture> {
  const org = await insertOrg(app.database.db, name, 'Europe/Paris');
  const member = async (role: MemberRole): Promise<Member> => {
    const account = await createAccount(app, uniqueEmail(role));
    await insertMembership(app.database.db, org.id, account.id, role);
    const token = await tokenFor(app, account.id, org.id);
    return { accountId: account.id, email: account.email, role, token, headers: bearer(token) };
  };
  return {
    orgId: org.id,
    name,
    owner: await member('owner'),
    admin: await member('admin'),
    manager: await member('manager'),
    tech: await member('tech'),
  };
}

/** A member of the org whose signed token is already expired. */
export async function expiredTokenFor(app: FastifyInstance, accountId: string, orgId: string) {
  const session = await insertSession(app.database.db, accountId, orgId, isoIn(DAY));
  const sign = createSigner({
    key: app.config.secretKey,
    algorithm: app.config.jwtAlg,
    clockTimestamp: Date.now() - 2 * 3600_000,
    expiresIn: 3600_000,
  });
  return sign({ sub: accountId, org: orgId, sid: session.id, typ: 'access' });
}
