import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../platform/auth/access.js';
import type { MemberRole } from '../../platform/db/tables.js';
import { ProblemSchema, Uuid } from '../../platform/http/schemas.js';
import { Role } from '../orgs/orgs.schemas.js';

const Ok = Type.Object({ ok: Type.Literal(true), role: Role });
const response = { 200: Ok, 401: ProblemSchema, 403: ProblemSchema };

/** The seed's demo endpoints for `require_role` and `require_org_scope`, kept for clients' tests. */
export const rbacDemoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const demos: [string, MemberRole][] = [
    ['any', 'tech'],
    ['manager', 'manager'],
    ['admin', 'admin'],
    ['owner', 'owner'],
  ];
  for (const [path, role] of demos) {
    app.get(
      `/rbac_demo/${path}`,
      {
        config: { access: role },
        schema: { tags: ['rbac_demo'], summary: `Demo: role ≥ ${role} in the token's org`, response },
      },
      async (request) => ({ ok: true as const, role: authOf(request).role! }),
    );
  }
  app.get(
    '/rbac_demo/scoped/:org_id',
    {
      config: { access: 'tech' },
      schema: {
        tags: ['rbac_demo'],
        summary: 'Demo: the path org must be the token’s org',
        params: Type.Object({ org_id: Uuid }),
        response,
      },
    },
    async (request) => ({ ok: true as const, role: authOf(request).role! }),
  );
};
