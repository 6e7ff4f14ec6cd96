import { scopeOf } from '../../platform/auth/access.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ProblemSchema } from '../../platform/http/schemas.js';
import { AuditPage, AuditQuery, OrgParams } from './audit.schemas.js';
import { listAuditPage } from './audit.service.js';

const tags = ['audit'];

/** Read-only by design: there is no route (nor code) that updates or deletes an audit row. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Read the org’s audit log',
        description:
          'Every change made in the org, newest first (`created_at` desc, then `id` desc), paginated with ' +
          '`limit` and `cursor`. Filters: `entity_type`, `entity_id`, `actor` (account id), and the ' +
          '`[from, to)` range of `created_at` (`to` must be after `from`). `before` / `after` are the entity as ' +
          'JSON around the change. The log is append-only: it cannot be edited or deleted.',
        params: OrgParams,
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) => {
      const { limit = 50, ...query } = request.query;
      return listAuditPage(app.database.db, scopeOf(request), { ...query, limit });
    },
  );
};
