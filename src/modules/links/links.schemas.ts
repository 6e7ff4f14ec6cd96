import { Type } from '@fastify/type-provider-typebox';
import { Timestamp, Uuid } from '../../platform/http/schemas.js';
import { AssignmentStatus } from '../shared/staffing.schemas.js';

export const LinkParams = Type.Object({ org_id: Uuid, assignment_id: Uuid });

export const LinkResponse = Type.Object(
  {
    url: Type.String({
      description:
        'PUBLIC_BASE_URL/invitations/<token>: the web app serves that page, which calls ' +
        'GET /api/v1/invitations/{token} and its accept/decline',
    }),
    expires_at: Timestamp,
    token: Type.Optional(Type.String({ description: 'APP_ENV=dev only: the raw token, for testing' })),
  },
  {
    examples: [
      {
        url: 'https://crew.example.com/invitations/3q2-7wExampleTokenOnly-ForTheDocs0123456789ab',
        expires_at: '2026-06-08T18:00:00.000Z',
      },
    ],
  },
);

export const TokenParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 512, description: 'The token of a signed link' }),
});

export const PublicLinkView = Type.Object(
  {
    org: Type.Object({ name: Type.String() }),
    mission: Type.Object({
      title: Type.String(),
      starts_at: Timestamp,
      ends_at: Timestamp,
      location: Type.Union([Type.Null(), Type.String()]),
    }),
    role: Type.Object({ name: Type.String() }),
    status: AssignmentStatus,
    expires_at: Timestamp,
  },
  {
    description: 'What a link holder may see: nothing of the org beyond its name, nobody else on the mission',
    examples: [
      {
        org: { name: 'Théâtre du Soleil' },
        mission: {
          title: 'Get-in: Le Dernier Caravansérail',
          starts_at: '2026-06-10T07:00:00.000Z',
          ends_at: '2026-06-10T15:00:00.000Z',
          location: 'Cartoucherie, Paris',
        },
        role: { name: 'Rigger' },
        status: 'INVITED',
        expires_at: '2026-06-08T18:00:00.000Z',
      },
    ],
  },
);

export const DeclineBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false, examples: [{ reason: 'On tour that week' }] },
);
