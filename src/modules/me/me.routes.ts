import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../platform/auth/access.js';
import { toIso } from '../../platform/clock.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import { MyAssignmentPage, MyAssignmentsQuery } from './me.schemas.js';
import { listMyAssignments } from './me.service.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema };

/** `/api/v1/me/…`: the caller's own things across every org. */
export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/me/assignments',
    {
      config: { access: 'account' },
      schema: {
        tags: ['assignments'],
        summary: 'My work across orgs',
        description:
          'The caller’s assignments in every org that linked a crew member to their account, whatever the ' +
          'token’s active org, ordered by mission start. `from`/`to` keep the missions overlapping the window; ' +
          '`status` repeats.',
        querystring: MyAssignmentsQuery,
        response: { 200: MyAssignmentPage, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return listMyAssignments(db, authOf(request).accountId, {
        statuses: q.status,
        from: q.from && toIso(q.from),
        to: q.to && toIso(q.to),
        limit: q.limit ?? DEFAULT_LIMIT,
        cursor: q.cursor,
      });
    },
  );
};
