import { Type } from '@fastify/type-provider-typebox';
import { RULE_MODES } from '../../platform/db/tables.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { AssignmentStatus, Reason } from '../shared/staffing.schemas.js';

const Mode = StringEnum(RULE_MODES);
const Hours = (max: number, description: string) => Type.Integer({ minimum: 0, maximum: max, description });
const ModeOnly = Type.Object({ mode: Mode }, { additionalProperties: false });
const ValueAndMode = (max: number, description: string) =>
  Type.Object(
    { value: Type.Optional(Hours(max, description)), mode: Type.Optional(Mode) },
    { additionalProperties: false, minProperties: 1 },
  );

export const RuleSettingsBody = Type.Object(
  {
    overlap_invited: Type.Optional(ModeOnly),
    unavailable: Type.Optional(ModeOnly),
    min_rest: Type.Optional(ValueAndMode(48, 'Minimum hours of rest between two missions')),
    max_hours_24h: Type.Optional(ValueAndMode(24, 'Maximum working hours in any 24 hours')),
    max_hours_7d: Type.Optional(ValueAndMode(168, 'Maximum working hours in any 7 days')),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ min_rest: { value: 9, mode: 'warn' }, unavailable: { mode: 'block' } }],
  },
);

const Setting = Type.Object({ value: Type.Union([Type.Null(), Type.Integer()]), mode: Mode });
export const RuleSettingsResponse = Type.Object(
  {
    overlap_accepted: Type.Object(
      { value: Type.Null(), mode: Type.Literal('block') },
      { description: 'Not configurable: nobody is in two places' },
    ),
    busy_elsewhere: Type.Object(
      { value: Type.Null(), mode: Type.Literal('block') },
      { description: 'Not configurable' },
    ),
    overlap_invited: Setting,
    unavailable: Setting,
    min_rest: Setting,
    max_hours_24h: Setting,
    max_hours_7d: Setting,
  },
  { description: '`block` rules refuse an accept (409 `conflict`); `warn` rules are reported only' },
);

export const ConflictsQuery = Type.Object(
  {
    user_id: Type.Optional({ ...Uuid, description: 'One person; without it, the whole org' }),
    from: Type.Optional({ ...Timestamp, description: 'Start of the window (default: now)' }),
    to: Type.Optional({
      ...Timestamp,
      description: 'End of the window (default: from + 365 days, at most 366)',
    }),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const Conflict = Type.Object(
  {
    assignment_id: Uuid,
    mission_id: Uuid,
    mission_title: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    status: AssignmentStatus,
    user: Type.Object({ id: Uuid, first_name: Type.String(), last_name: Type.String() }),
    reasons: Type.Array(Reason, { description: 'Every rule the assignment currently meets' }),
  },
  {
    examples: [
      {
        assignment_id: '5f0c2a9e-8d1b-4c3a-9e7f-6b5a4c3d2e1f',
        mission_id: '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
        mission_title: 'Montage Lyon',
        starts_at: '2027-03-12T07:00:00.000Z',
        ends_at: '2027-03-12T16:00:00.000Z',
        status: 'ACCEPTED',
        user: { id: '2b7c0f9e-5a4d-4c3b-9e8f-7a6b5c4d3e2f', first_name: 'Lucie', last_name: 'Martin' },
        reasons: [
          {
            rule: 'min_rest',
            severity: 'warn',
            assignment_id: '7c6b5a4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
            mission_id: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
            detail: 'Only 6 h of rest next to "Démontage Lyon" (minimum 11 h)',
          },
        ],
      },
    ],
  },
);

export const ConflictList = Page(Conflict);
