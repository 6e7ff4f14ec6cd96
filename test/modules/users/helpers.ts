import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { UserView } from '../../../src/modules/users/users.schemas.js';
import { asJson } from '../../../src/platform/db/database.js';
import type { OrgFixture } from '../../helpers/factories.js';

export const usersUrl = (org: { orgId: string }) => `/api/v1/orgs/${org.orgId}/users`;
export const userUrl = (org: { orgId: string }, userId: string) => `${usersUrl(org)}/${userId}`;

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface UserBody {
  first_name?: string;
  last_name?: string;
  employment_type?: string;
  [field: string]: unknown;
}

/** Creates a user through the API as the org's admin and returns the response body. */
export async function createUser(
  app: FastifyInstance,
  org: OrgFixture,
  body: UserBody = {},
): Promise<UserView> {
  const res = await app.inject({
    method: 'POST',
    url: usersUrl(org),
    headers: org.admin.headers,
    payload: {
      first_name: 'Léa',
      last_name: `Martin-${randomUUID().slice(0, 6)}`,
      employment_type: 'INTERMITTENT',
      ...body,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as UserView;
}

/** The problem document of a 4xx, minus its request id. */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({
    type: `urn:coulisses-crew:problem:${code}`,
    status,
    code,
    detail: expect.any(String),
    request_id: expect.any(String),
  });
  return body;
}

/** The audit rows of one user, oldest first, with before/after parsed. */
export async function auditRowsOf(app: FastifyInstance, orgId: string, userId: string) {
  const rows = await app.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('entity_type', '=', 'user')
    .where('entity_id', '=', userId)
    .orderBy('created_at')
    .orderBy('action')
    .execute();
  return rows.map((r) => ({ ...r, before: asJson(r.before), after: asJson(r.after) }));
}
