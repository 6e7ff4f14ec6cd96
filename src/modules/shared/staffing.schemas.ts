/**
 * Response pieces several modules answer with (assignments, staffing, suggestions, links, me). They live here,
 * depending on no module, so that no two modules import each other's schemas.
 */
import { Type } from '@fastify/type-provider-typebox';
import { ASSIGNMENT_STATUSES, RULE_MODES } from '../../platform/db/tables.js';
import { StringEnum, Uuid } from '../../platform/http/schemas.js';

export const AssignmentStatus = StringEnum(ASSIGNMENT_STATUSES);

export const Reason = Type.Object(
  {
    rule: StringEnum([
      'overlap_accepted',
      'overlap_invited',
      'unavailable',
      'min_rest',
      'max_hours_24h',
      'max_hours_7d',
      'busy_elsewhere',
    ] as const),
    severity: StringEnum(RULE_MODES),
    assignment_id: Type.Optional(Uuid),
    mission_id: Type.Optional(Uuid),
    detail: Type.String(),
  },
  {
    description: 'Why a person should not (warn) or may not (block) take a mission',
    examples: [
      {
        rule: 'min_rest',
        severity: 'block',
        assignment_id: '3f0b6a4e-1c1d-4a55-9d5e-0a6c2f1b7e21',
        mission_id: '9a1e2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b',
        detail: 'Only 8 h of rest next to "Strike" (minimum 11 h)',
      },
    ],
  },
);
