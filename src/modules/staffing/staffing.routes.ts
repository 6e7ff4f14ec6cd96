import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemSchema } from '../../platform/http/schemas.js';
import { ConflictList, ConflictsQuery, RuleSettingsBody, RuleSettingsResponse } from './staffing.schemas.js';
import { getRuleSettings, listConflicts, updateRuleSettings } from './staffing.service.js';

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
        summary: 'Current conflicts of a person',
        description:
          'Each active assignment of the person in the window (default: the next 90 days, at most 366) with the ' +
          'rules it meets against the person’s other assignments, unavailability and work elsewhere.',
        params: OrgParams,
        querystring: ConflictsQuery,
        response: { 200: ConflictList, ...errors },
      },
    },
    async (request) => listConflicts(db, scopeOf(request), request.query.user_id, request.query),
  );
};
