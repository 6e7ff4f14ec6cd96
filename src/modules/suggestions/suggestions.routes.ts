import { scopeOf } from '../../platform/auth/access.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ProblemSchema } from '../../platform/http/schemas.js';
import { SuggestionPage, SuggestionParams, SuggestionsQuery } from './suggestions.schemas.js';
import { DEFAULT_SUGGESTIONS, suggestForRole } from './suggestions.service.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

/** `…/orgs/:org_id/missions/:mission_id/roles/:role_id/suggestions`: who to invite, best first. */
export const suggestionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/missions/:mission_id/roles/:role_id/suggestions',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['staffing'],
        summary: 'Suggest people for a role',
        description:
          'Active users of the org, without those already INVITED or ACCEPTED on the mission and those with a ' +
          'blocking reason for it, best first: skill match (those with the role’s skill at the minimum level or ' +
          'above, then those with it below, then the others, still listed), higher level, declared AVAILABLE ' +
          'during the mission, fewest hours already ACCEPTED in the mission’s calendar month (in the org’s time ' +
          'zone: "2026-12 (Europe/Paris)"), then name. ' +
          'Each comes with `reasons` (why ranked so) and `warnings` (non-blocking rules met). The top `limit` ' +
          '(default 20) only: `next_cursor` is always null.',
        params: SuggestionParams,
        querystring: SuggestionsQuery,
        response: { 200: SuggestionPage, ...errors },
      },
    },
    async (request) => {
      const { mission_id, role_id } = request.params;
      return suggestForRole(
        db,
        scopeOf(request),
        mission_id,
        role_id,
        request.query.limit ?? DEFAULT_SUGGESTIONS,
      );
    },
  );
};
