import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  Availability,
  AvailabilityPage,
  AvailabilityParams,
  CreateAvailabilityBody,
  ListAvailabilityQuery,
  OrgParams,
} from './availability.schemas.js';
import { createAvailability, listAvailabilityPage, removeAvailability } from './availability.service.js';

const tags = ['availability'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

export const availabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    '/availability',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Declare when a crew member is available or unavailable',
        description:
          '`ends_at` must be after `starts_at` (else 400). Managers and above declare for any crew member of ' +
          'the org (an unknown user, or one of another org, is a 404). A tech declares only for the crew member ' +
          'linked to their own account: any other `user_id` is a 403. Overlapping entries are allowed. Audited ' +
          'as `availability.create`.',
        params: OrgParams,
        body: CreateAvailabilityBody,
        response: { 201: Availability, ...errors },
      },
    },
    async (request, reply) => {
      const created = await createAvailability(db, scopeOf(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/availability',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'List availability entries',
        description:
          'Entries overlapping the `[from, to)` window (`ends_at > from`, `starts_at < to`), ordered by ' +
          '`starts_at`, then `id`, paginated with `limit` and `cursor`. `to` must be after `from`. A tech sees ' +
          'only the entries of the crew member linked to their own account: the filter is forced, asking for ' +
          'another `user_id` is a 403, and a tech linked to nobody gets an empty page.',
        params: OrgParams,
        querystring: ListAvailabilityQuery,
        response: { 200: AvailabilityPage, ...errors },
      },
    },
    async (request) => {
      const { limit = 50, ...query } = request.query;
      return listAvailabilityPage(db, scopeOf(request), { ...query, limit });
    },
  );

  app.delete(
    '/availability/:availability_id',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Remove an availability entry',
        description:
          'Managers and above remove anyone’s entry; a tech only their own crew member’s (anyone else’s answers ' +
          '404, like a missing entry). Audited as `availability.delete`.',
        params: AvailabilityParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errors },
      },
    },
    async (request, reply) => {
      await removeAvailability(db, scopeOf(request), request.params.availability_id);
      return reply.code(204).send(null);
    },
  );
};
