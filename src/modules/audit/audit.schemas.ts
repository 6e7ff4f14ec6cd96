import { Type } from '@fastify/type-provider-typebox';
import { Page, PageQuery, Timestamp, Uuid } from '../../platform/http/schemas.js';

export { OrgParams } from '../../platform/http/schemas.js';

export const AuditQuery = Type.Object(
  {
    entity_type: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['availability'] })),
    entity_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, examples: ['7c9e6679-7425-40de-944b-e07fc1f90ae7'] }),
    ),
    actor: Type.Optional(Type.String({ format: 'uuid', description: 'The account that acted' })),
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Rows written at or after this time',
        examples: ['2026-06-01T00:00:00.000Z'],
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Rows written before this time',
        examples: ['2026-07-01T00:00:00.000Z'],
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const AuditEntry = Type.Object(
  {
    id: Uuid,
    org_id: Uuid,
    actor_account_id: Type.Union([Uuid, Type.Null()], { description: 'null when the system acted' }),
    action: Type.String({ examples: ['availability.create'] }),
    entity_type: Type.String({ examples: ['availability'] }),
    entity_id: Type.Union([Type.String(), Type.Null()]),
    before: Type.Unknown({ description: 'The entity before the change (JSON), null on creation' }),
    after: Type.Unknown({ description: 'The entity after the change (JSON), null on deletion' }),
    request_id: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
  },
  {
    examples: [
      {
        id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
        org_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        actor_account_id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
        action: 'availability.delete',
        entity_type: 'availability',
        entity_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        before: {
          id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          user_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
          kind: 'UNAVAILABLE',
        },
        after: null,
        request_id: 'b7a1d2c4-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
        created_at: '2026-05-20T09:12:00.000Z',
      },
    ],
  },
);

export const AuditPage = Page(AuditEntry);
