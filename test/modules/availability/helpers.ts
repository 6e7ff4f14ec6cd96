import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isoNow } from '../../../src/platform/clock.js';

/** A crew member of the org, inserted directly (the roster module is not a dependency of these tests). */
export async function insertUser(
  app: FastifyInstance,
  orgId: string,
  options: { accountId?: string | null; firstName?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const now = isoNow();
  await app.database.db
    .insertInto('users')
    .values({
      id,
      org_id: orgId,
      account_id: options.accountId ?? null,
      first_name: options.firstName ?? 'Camille',
      last_name: 'Régie',
      email: null,
      phone: null,
      employment_type: 'INTERMITTENT',
      notes: null,
      active: true,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export function auditRows(app: FastifyInstance, orgId: string, entityId: string) {
  return app.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .execute();
}
