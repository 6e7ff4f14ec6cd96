import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import {
  defaultEmptyBody,
  OrgParams,
  PageQuery,
  ProblemResponses,
  StringEnum,
  Timestamp,
  Uuid,
} from '../../platform/http/schemas.js';
import { EMPLOYMENT_TYPES } from '../../platform/db/tables.js';
import { getDpae, listMissingDpae, recordDpae } from './dpae.service.js';

const tags = ['dpae'];
const Params = Type.Object({ org_id: Uuid, assignment_id: Uuid });
const Dpae = Type.Object({
  assignment_id: Uuid,
  declared: Type.Boolean(),
  declared_at: Type.Union([Timestamp, Type.Null()]),
  reference: Type.Union([Type.String(), Type.Null()]),
  recorded_by: Type.Union([Uuid, Type.Null()]),
});
const DpaeBody = Type.Object(
  {
    declared_at: Type.Optional(Timestamp),
    reference: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [{ declared_at: '2031-03-01T09:12:00.000Z', reference: 'DPAE-2031-000123' }],
  },
);
const Missing = Type.Object({
  items: Type.Array(
    Type.Object({
      assignment_id: Uuid,
      user_id: Uuid,
      user_name: Type.String(),
      employment_type: StringEnum(EMPLOYMENT_TYPES),
      mission: Type.Object({ id: Uuid, title: Type.String(), starts_at: Timestamp }),
      role_name: Type.String(),
    }),
  ),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  within_hours: Type.Integer(),
});

/** The DPAE (déclaration préalable à l'embauche) of each engagement: recorded here, declared elsewhere. */
export const dpaeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/assignments/:assignment_id/dpae',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Whether and when the DPAE of an assignment was declared',
        params: Params,
        response: { 200: Dpae, ...ProblemResponses },
      },
    },
    async (request) => getDpae(db, scopeOf(request), request.params.assignment_id),
  );

  app.post(
    '/assignments/:assignment_id/dpae',
    {
      preValidation: defaultEmptyBody,
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Record that the DPAE of an assignment was declared',
        description:
          'The declaration itself is made to URSSAF; this records when (default now) and its reference. ' +
          'Recording again corrects it. INVITED or ACCEPTED assignments only (409 otherwise). Audited.',
        params: Params,
        body: DpaeBody,
        response: { 200: Dpae, ...ProblemResponses },
      },
    },
    async (request) => recordDpae(db, scopeOf(request), request.params.assignment_id, request.body),
  );

  app.get(
    '/dpae/missing',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'ACCEPTED assignments starting soon without a DPAE',
        description:
          'Missions starting from now to `within_hours` ahead (default the org setting `dpae_delay_hours`, 48), ' +
          'by start. A reminder to managers belongs to the notifications module (not sent from here).',
        params: OrgParams,
        querystring: Type.Object({
          within_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
          ...PageQuery,
        }),
        response: { 200: Missing, ...ProblemResponses },
      },
    },
    async (request) =>
      listMissingDpae(db, scopeOf(request), {
        ...request.query,
        limit: request.query.limit ?? DEFAULT_LIMIT,
      }),
  );
};
