import { Type } from '@fastify/type-provider-typebox';
import { AVAILABILITY_KINDS } from '../../platform/db/tables.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

export const AvailabilityKind = StringEnum(AVAILABILITY_KINDS, {
  description: 'AVAILABLE: the person can work then; UNAVAILABLE: they cannot',
});

const Note = Type.String({ maxLength: 2000, examples: ['Tournée avec une autre compagnie'] });

export { OrgParams } from '../../platform/http/schemas.js';
export const AvailabilityParams = Type.Object({ org_id: Uuid, availability_id: Uuid });

export const CreateAvailabilityBody = Type.Object(
  {
    user_id: Type.String({ format: 'uuid', description: 'The crew member (users.id) of this org' }),
    starts_at: Timestamp,
    ends_at: Type.String({
      format: 'date-time',
      description: 'Strictly after starts_at',
      examples: ['2026-06-02T02:00:00.000Z'],
    }),
    kind: AvailabilityKind,
    note: Type.Optional(Type.Union([Note, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        user_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        starts_at: '2026-06-01T18:00:00.000Z',
        ends_at: '2026-06-02T02:00:00.000Z',
        kind: 'UNAVAILABLE',
        note: 'Tournée avec une autre compagnie',
      },
    ],
  },
);

export const Availability = Type.Object(
  {
    id: Uuid,
    org_id: Uuid,
    user_id: Uuid,
    starts_at: Timestamp,
    ends_at: Timestamp,
    kind: AvailabilityKind,
    note: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
  },
  {
    examples: [
      {
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        org_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        user_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        starts_at: '2026-06-01T18:00:00.000Z',
        ends_at: '2026-06-02T02:00:00.000Z',
        kind: 'UNAVAILABLE',
        note: 'Tournée avec une autre compagnie',
        created_at: '2026-05-20T09:12:00.000Z',
      },
    ],
  },
);

export const AvailabilityPage = Page(Availability);

export const ListAvailabilityQuery = Type.Object(
  {
    user_id: Type.Optional(Uuid),
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Only entries ending after this time',
        examples: ['2026-06-01T00:00:00.000Z'],
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Only entries starting before this time',
        examples: ['2026-07-01T00:00:00.000Z'],
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
