import { Type } from '@fastify/type-provider-typebox';
import { Page, Uuid } from '../../platform/http/schemas.js';
import { Reason } from '../shared/staffing.schemas.js';

export const SuggestionParams = Type.Object({ org_id: Uuid, mission_id: Uuid, role_id: Uuid });

export const SuggestionsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);

export const Suggestion = Type.Object(
  {
    user: Type.Object({ id: Uuid, first_name: Type.String(), last_name: Type.String() }),
    skill_level: Type.Union([Type.Null(), Type.Integer()], {
      description: 'Level in the role’s skill; null without it, or when the role asks for no skill',
    }),
    hours_this_month: Type.Number({
      description:
        'Hours already ACCEPTED on missions starting in the mission’s calendar month, in the org’s time zone',
    }),
    declared_available: Type.Boolean({
      description: 'Declared AVAILABLE at some time overlapping the mission',
    }),
    reasons: Type.Array(Type.String(), { description: 'Why the person is ranked here, in plain words' }),
    warnings: Type.Array(Reason, { description: 'Non-blocking rules the person meets for this mission' }),
  },
  {
    examples: [
      {
        user: { id: '2b7c0f9e-5a4d-4c3b-9e8f-7a6b5c4d3e2f', first_name: 'Ariane', last_name: 'Mnouchkine' },
        skill_level: 4,
        hours_this_month: 16,
        declared_available: true,
        reasons: [
          'Has "rigging" at level 4 (minimum 3)',
          'Declared available during the mission',
          '16 h already accepted in 2026-06 (Europe/Paris)',
        ],
        warnings: [],
      },
    ],
  },
);

export const SuggestionPage = Page(Suggestion);
