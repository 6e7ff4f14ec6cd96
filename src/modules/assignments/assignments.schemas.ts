import { Type } from '@fastify/type-provider-typebox';
import { Page, PageQuery, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { AssignmentStatus, Reason } from '../shared/staffing.schemas.js';

export const MissionParams = Type.Object({ org_id: Uuid, mission_id: Uuid });
export const AssignmentParams = Type.Object({ org_id: Uuid, assignment_id: Uuid });

const Note = Type.String({ maxLength: 2000 });
const InviteItem = Type.Object(
  { user_id: Uuid, role_id: Uuid, note: Type.Optional(Note) },
  { additionalProperties: false },
);

export const InviteBody = Type.Union(
  [
    InviteItem,
    Type.Object(
      { invites: Type.Array(InviteItem, { minItems: 1, maxItems: 200 }) },
      { additionalProperties: false },
    ),
  ],
  {
    description: 'One invitation, or `invites` (up to 200, all or none)',
    examples: [
      {
        user_id: '2b7c0f9e-5a4d-4c3b-9e8f-7a6b5c4d3e2f',
        role_id: '6c5b4a39-2817-4f6e-8d9c-0b1a2c3d4e5f',
        note: 'Bring your harness',
      },
    ],
  },
);

export const Assignment = Type.Object({
  id: Uuid,
  org_id: Uuid,
  mission_id: Uuid,
  role_id: Uuid,
  user_id: Uuid,
  status: AssignmentStatus,
  note: Type.Union([Type.Null(), Type.String()]),
  reason: Type.Union([Type.Null(), Type.String()], { description: 'Why it was declined or cancelled' }),
  invited_by: Type.Union([Type.Null(), Uuid]),
  responded_at: Type.Union([Type.Null(), Timestamp]),
  created_at: Timestamp,
  updated_at: Timestamp,
  role_name: Type.String(),
  mission: Type.Object({
    id: Uuid,
    title: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    location: Type.Union([Type.Null(), Type.String()]),
  }),
});

export const AssignmentWithWarnings = Type.Object({
  ...Assignment.properties,
  warnings: Type.Array(Reason, {
    description: 'Rules this assignment meets (all reasons at invite; non-blocking ones at accept)',
  }),
});
export const InviteResponse = Type.Union([
  AssignmentWithWarnings,
  Type.Object({ items: Type.Array(AssignmentWithWarnings) }),
]);

export const ReasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false, examples: [{ reason: 'On tour in Belgium that week' }] },
);

export const MissionAssignmentsQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(AssignmentStatus, { description: 'One or more statuses' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const AssignmentsQuery = Type.Object(
  {
    user_id: Type.Optional(Uuid),
    status: Type.Optional(
      Type.Array(AssignmentStatus, { description: 'One or more statuses (repeat the parameter)' }),
    ),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const AssignmentPage = Page(Assignment);
