import { Type } from '@fastify/type-provider-typebox';
import { Page, PageQuery, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { Reason } from '../shared/staffing.schemas.js';

/** Upper bound on a mission's length: it bounds the `from` filter so the (org_id, starts_at) index serves it. */
export const MAX_MISSION_DAYS = 31;
export const MAX_BULK = 500;
export const MAX_ROLES = 50;

export { OrgParams } from '../../platform/http/schemas.js';
export const ProjectParams = Type.Object({ org_id: Uuid, project_id: Uuid });
export const MissionParams = Type.Object({ org_id: Uuid, mission_id: Uuid });
export const RoleParams = Type.Object({ org_id: Uuid, mission_id: Uuid, role_id: Uuid });

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', examples: ['Load-in'] });
const Location = Type.Union([Type.Null(), Type.String({ maxLength: 500 })], {
  examples: ['Main stage'],
});
const Notes = Type.Union([Type.Null(), Type.String({ maxLength: 5000 })], {
  examples: ['Bring gloves'],
});
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', examples: ['Rigger'] });
const Quota = Type.Integer({ minimum: 1, maximum: 10000, examples: [2] });
const Skill = Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })], {
  description: 'Skill a crew member needs for this role',
  examples: ['rigging'],
});
const MinLevel = Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 5 })], {
  description: 'Least level (1–5) in `skill`',
  examples: [3],
});
const LocalDate = Type.String({ format: 'date', examples: ['2026-07-01'] });
const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'Wall-clock time HH:MM in the org’s time zone',
  examples: ['18:00'],
});

export const RoleInput = Type.Object(
  {
    name: RoleName,
    quota: Quota,
    skill: Type.Optional(Skill),
    min_level: Type.Optional(MinLevel),
  },
  { additionalProperties: false },
);

export const RolePatch = Type.Object(
  {
    name: Type.Optional(RoleName),
    quota: Type.Optional(Quota),
    skill: Type.Optional(Skill),
    min_level: Type.Optional(MinLevel),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ quota: 4 }] },
);

const Roles = Type.Array(RoleInput, { minItems: 1, maxItems: MAX_ROLES });

const missionExample = {
  title: 'Load-in',
  starts_at: '2026-07-01T06:00:00.000Z',
  ends_at: '2026-07-01T12:00:00.000Z',
  location: 'Main stage',
  notes: 'Bring gloves',
  roles: [
    { name: 'Rigger', quota: 2, skill: 'rigging', min_level: 3 },
    { name: 'Stagehand', quota: 4 },
  ],
};

export const MissionInput = Type.Object(
  {
    title: Title,
    starts_at: Timestamp,
    ends_at: Timestamp,
    location: Type.Optional(Location),
    notes: Type.Optional(Notes),
    roles: Roles,
  },
  { additionalProperties: false, examples: [missionExample] },
);

export const MissionPatch = Type.Object(
  {
    title: Type.Optional(Title),
    starts_at: Type.Optional(Timestamp),
    ends_at: Type.Optional(Timestamp),
    location: Type.Optional(Location),
    notes: Type.Optional(Notes),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ ends_at: '2026-07-01T13:00:00.000Z', location: null }],
  },
);

export const MissionTemplate = Type.Object(
  {
    title: Title,
    start_time: LocalTime,
    end_time: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: 'HH:MM; at or before start_time means the mission ends the next day',
      examples: ['02:00'],
    }),
    location: Type.Optional(Location),
    notes: Type.Optional(Notes),
    roles: Roles,
  },
  { additionalProperties: false },
);

export const BulkBody = Type.Object(
  {
    missions: Type.Optional(Type.Array(MissionInput, { minItems: 1, maxItems: MAX_BULK })),
    template: Type.Optional(MissionTemplate),
    dates: Type.Optional(Type.Array(LocalDate, { minItems: 1, maxItems: MAX_BULK, uniqueItems: true })),
    from: Type.Optional(LocalDate),
    to: Type.Optional(LocalDate),
    weekdays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
        minItems: 1,
        maxItems: 7,
        uniqueItems: true,
        description: 'ISO weekdays: Monday = 1 … Sunday = 7',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Exactly one of three shapes: `{missions}` (explicit missions); `{template, dates}` (the template on ' +
      'each local date); `{template, from, to, weekdays}` (the template on each of those weekdays between ' +
      'from and to, both included). Template times are wall-clock times in the org’s time zone.',
    examples: [
      { missions: [missionExample] },
      {
        template: {
          title: 'Evening show',
          start_time: '18:00',
          end_time: '23:30',
          location: 'Main stage',
          roles: [{ name: 'Sound', quota: 2, skill: 'sound', min_level: 2 }],
        },
        dates: ['2026-07-01', '2026-07-02'],
      },
      {
        template: {
          title: 'Night get-out',
          start_time: '22:00',
          end_time: '02:00',
          roles: [{ name: 'Stagehand', quota: 6 }],
        },
        from: '2026-07-01',
        to: '2026-07-31',
        weekdays: [5, 6],
      },
    ],
  },
);

export const BulkResult = Type.Object(
  { created: Type.Integer(), ids: Type.Array(Uuid) },
  {
    examples: [
      {
        created: 2,
        ids: ['3f2a9c1b-7d4e-4f60-8a1b-2c3d4e5f6a7b', '9c1b3f2a-4e7d-460f-9b1a-7b6a5f4e3d2c'],
      },
    ],
  },
);

export const DuplicateBody = Type.Object(
  { starts_at: Timestamp },
  { additionalProperties: false, examples: [{ starts_at: '2026-07-08T06:00:00.000Z' }] },
);

export const Role = Type.Object({
  id: Uuid,
  name: Type.String(),
  quota: Type.Integer(),
  skill: Type.Union([Type.Null(), Type.String()]),
  min_level: Type.Union([Type.Null(), Type.Integer()]),
  accepted: Type.Integer({ description: 'Accepted assignments' }),
  open_slots: Type.Integer({ description: 'quota − accepted' }),
});

const roleExample = {
  id: '5b8e2a40-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'Rigger',
  quota: 2,
  skill: 'rigging',
  min_level: 3,
  accepted: 1,
  open_slots: 1,
};

export const RoleResponse = Type.Object(Role.properties, { examples: [roleExample] });

export const Mission = Type.Object(
  {
    id: Uuid,
    org_id: Uuid,
    project_id: Uuid,
    title: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    location: Type.Union([Type.Null(), Type.String()]),
    notes: Type.Union([Type.Null(), Type.String()]),
    published: Type.Boolean(),
    published_at: Type.Union([Type.Null(), Timestamp]),
    open_slots: Type.Integer({ description: 'Sum of the roles’ open slots' }),
    roles: Type.Array(Role),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    examples: [
      {
        id: '0e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968',
        org_id: '7d9e0f1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a',
        project_id: '0b5f8a9e-6c1d-4a57-9d7e-1f2a3b4c5d6e',
        title: 'Load-in',
        starts_at: '2026-07-01T06:00:00.000Z',
        ends_at: '2026-07-01T12:00:00.000Z',
        location: 'Main stage',
        notes: 'Bring gloves',
        published: true,
        published_at: '2026-06-01T09:00:00.000Z',
        open_slots: 1,
        roles: [roleExample],
        created_at: '2026-05-20T09:00:00.000Z',
        updated_at: '2026-06-01T09:00:00.000Z',
      },
    ],
  },
);

/** A changed mission: a move re-judges its accepted crew, and the warning rules it broke come back here. */
export const UpdatedMission = Type.Object(
  {
    ...Mission.properties,
    warnings: Type.Array(Type.Object({ ...Reason.properties, user_id: Uuid }), {
      description:
        'Warning rules the new times break for people already accepted, each naming its person (empty when ' +
        'the times did not change); a blocking rule refuses the move with 409 `reschedule_conflict`',
    }),
  },
  { description: 'The mission after the change, with the warnings of its move' },
);

export const MissionList = Page(Mission);

export const MissionListQuery = Type.Object(
  {
    project_id: Type.Optional(Uuid),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Missions ending after this time' })),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Missions starting before this time' }),
    ),
    published: Type.Optional(Type.Boolean()),
    has_open_slots: Type.Optional(
      Type.Boolean({ description: 'true: some role has accepted < quota; false: every role is full' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
