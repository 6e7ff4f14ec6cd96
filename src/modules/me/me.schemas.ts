import { Type } from '@fastify/type-provider-typebox';
import { Page, PageQuery, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { AssignmentStatus } from '../shared/staffing.schemas.js';

export const MyAssignmentsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Missions ending after this time',
        examples: ['2026-06-01T00:00:00.000Z'],
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Missions starting before this time',
        examples: ['2026-07-01T00:00:00.000Z'],
      }),
    ),
    status: Type.Optional(
      Type.Array(AssignmentStatus, { description: 'One or more statuses (repeat the parameter)' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const MyAssignment = Type.Object(
  {
    id: Uuid,
    status: AssignmentStatus,
    note: Type.Union([Type.Null(), Type.String()], { description: 'The planner’s note to the crew member' }),
    responded_at: Type.Union([Type.Null(), Timestamp]),
    org: Type.Object({ id: Uuid, name: Type.String() }),
    mission: Type.Object({
      id: Uuid,
      title: Type.String(),
      starts_at: Timestamp,
      ends_at: Timestamp,
      location: Type.Union([Type.Null(), Type.String()]),
    }),
    role: Type.Object({ id: Uuid, name: Type.String() }),
  },
  {
    examples: [
      {
        id: '3f0b6a4e-1c1d-4a55-9d5e-0a6c2f1b7e21',
        status: 'ACCEPTED',
        note: 'Bring your harness',
        responded_at: '2026-05-20T09:12:00.000Z',
        org: { id: '0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a', name: 'Théâtre du Soleil' },
        mission: {
          id: '9a1e2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b',
          title: 'Get-in',
          starts_at: '2026-06-10T07:00:00.000Z',
          ends_at: '2026-06-10T15:00:00.000Z',
          location: 'Cartoucherie, Paris',
        },
        role: { id: '6c5b4a39-2817-4f6e-8d9c-0b1a2c3d4e5f', name: 'Rigger' },
      },
    ],
  },
);

export const MyAssignmentPage = Page(MyAssignment);
