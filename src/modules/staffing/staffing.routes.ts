import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemSchema } from '../../platform/http/schemas.js';
import { ConflictList, ConflictsQuery, RuleSettingsBody, RuleSettingsResponse } from './staffing.schemas.js';
import { listConflicts } from './conflicts.service.js';
import { getRuleSettings, updateRuleSettings } from './staffing.service.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

export const staffingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/settings/rules',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['staffing'],
        summary: 'The org’s conflict and labour rules',
        params: OrgParams,
        response: { 200: RuleSettingsResponse, ...errors },
      },
    },
    async (request) => getRuleSettings(db, scopeOf(request)),
  );

  app.patch(
    '/settings/rules',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['staffing'],
        summary: 'Tune the conflict and labour rules',
        description:
          'Defaults: min_rest 11 h (block), max_hours_24h 12 h (block), max_hours_7d 48 h (block), unavailable ' +
          '(warn), overlap_invited (warn). Overlap with an accepted mission and busy elsewhere always block.',
        params: OrgParams,
        body: RuleSettingsBody,
        response: { 200: RuleSettingsResponse, ...errors },
      },
    },
    async (request) => updateRuleSettings(db, scopeOf(request), request.body),
  );

  app.get(
    '/conflicts',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['staffing'],
        summary: 'Current conflicts of a person, or of the whole org',
        description:
          'Each active (INVITED or ACCEPTED) assignment in the window that meets a rule against the person’s ' +
          'other assignments, unavailability and work elsewhere, with those `reasons`. With `user_id`: that ' +
          'person’s; without it, everyone’s in the org. In mission start order, paginated. The window defaults ' +
          'to the next 365 days (at most 366).',
        params: OrgParams,
        querystring: ConflictsQuery,
        response: { 200: ConflictList, ...errors },
      },
    },
    async (request) => {
      const { user_id, from, to, limit, cursor } = request.query;
      return listConflicts(db, scopeOf(request), { userId: user_id, from, to, limit: limit ?? 50, cursor });
    },
  );
};
