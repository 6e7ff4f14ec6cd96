import { Type } from '@fastify/type-provider-typebox';
import { PROJECT_STATUSES } from '../../platform/db/tables.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

export const ProjectStatus = StringEnum(PROJECT_STATUSES, {
  description: 'DRAFT → ACTIVE → ARCHIVED (DRAFT → ARCHIVED allowed; ARCHIVED → ACTIVE by an admin or owner)',
});

const Name = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '\\S',
  description: '1 to 200 characters, trimmed; unique in the org',
  examples: ['Festival d’été 2026'],
});
const Description = Type.Union([Type.Null(), Type.String({ maxLength: 5000 })], {
  examples: ['Open-air festival, three stages'],
});
const OptionalTime = Type.Union([Type.Null(), Timestamp]);

export const ProjectParams = Type.Object({ org_id: Uuid, project_id: Uuid });
export { OrgParams } from '../../platform/http/schemas.js';

export const CreateProjectBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    status: Type.Optional(
      StringEnum(['DRAFT', 'ACTIVE'] as const, { description: 'Initial status, DRAFT by default' }),
    ),
    starts_at: Type.Optional(OptionalTime),
    ends_at: Type.Optional(OptionalTime),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Festival d’été 2026',
        description: 'Open-air festival, three stages',
        starts_at: '2026-07-01T08:00:00.000Z',
        ends_at: '2026-07-05T23:00:00.000Z',
      },
    ],
  },
);

export const UpdateProjectBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    status: Type.Optional(ProjectStatus),
    starts_at: Type.Optional(OptionalTime),
    ends_at: Type.Optional(OptionalTime),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ status: 'ACTIVE' }, { name: 'Festival d’été 2026 (bis)', ends_at: null }],
  },
);

export const Project = Type.Object(
  {
    id: Uuid,
    org_id: Uuid,
    name: Type.String(),
    description: Type.Union([Type.Null(), Type.String()]),
    status: ProjectStatus,
    starts_at: Type.Union([Type.Null(), Timestamp]),
    ends_at: Type.Union([Type.Null(), Timestamp]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    examples: [
      {
        id: '0b5f8a9e-6c1d-4a57-9d7e-1f2a3b4c5d6e',
        org_id: '7d9e0f1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a',
        name: 'Festival d’été 2026',
        description: 'Open-air festival, three stages',
        status: 'ACTIVE',
        starts_at: '2026-07-01T08:00:00.000Z',
        ends_at: '2026-07-05T23:00:00.000Z',
        created_at: '2026-05-01T09:00:00.000Z',
        updated_at: '2026-05-02T10:30:00.000Z',
      },
    ],
  },
);

export const ProjectList = Page(Project);

export const ProjectListQuery = Type.Object(
  {
    status: Type.Optional(ProjectStatus),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Case-insensitive substring of the name' }),
    ),
    sort: Type.Optional(
      StringEnum(['name', 'created_at'] as const, {
        description: 'Order: by name (default) or by creation time, then id',
        default: 'name',
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
