import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import { Rolling507, RollingParams, RollingQuery, TotalsPage, TotalsQuery } from './payroll.schemas.js';
import { monthlyTotals, rolling507 } from './payroll.service.js';

const tags = ['pay'];

/** Totals per person per month (and per project), and the rolling 12 months toward 507 hours. */
export const totalsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/pay/totals',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Hours, cachets and amounts per person for a month',
        description:
          'People by last name, first name, id; a page walks `limit` people and lists those with an ACCEPTED ' +
          'assignment starting in the local month (so a page may hold fewer). A tech sees only their own. ' +
          'Amounts are null unless the caller may see them (admins, owners; managers if the org allows).',
        params: OrgParams,
        querystring: TotalsQuery,
        response: { 200: TotalsPage, ...ProblemResponses },
      },
    },
    async (request) =>
      monthlyTotals(db, scopeOf(request), { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get(
    '/users/:user_id/pay/rolling-507',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'The rolling 12 months toward 507 hours',
        description:
          'The 12 local months ending with `month`: approved hours of hourly and daily engagements plus 12 h ' +
          'per approved cachet. A tech: their own only (another person is 404).',
        params: RollingParams,
        querystring: RollingQuery,
        response: { 200: Rolling507, ...ProblemResponses },
      },
    },
    async (request) => rolling507(db, scopeOf(request), request.params.user_id, request.query.month),
  );
};
