import { Type } from '@fastify/type-provider-typebox';
import { RULE_MODES } from '../../platform/db/tables.js';
import { StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { AssignmentStatus, Reason } from '../assignments/assignments.schemas.js';

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
    user_id: Uuid,
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const ConflictList = Type.Object({
  items: Type.Array(
    Type.Object({
      assignment_id: Uuid,
      mission_id: Uuid,
      mission_title: Type.String(),
      starts_at: Timestamp,
      ends_at: Timestamp,
      status: AssignmentStatus,
      reasons: Type.Array(Reason),
    }),
  ),
  next_cursor: Type.Null(),
});
