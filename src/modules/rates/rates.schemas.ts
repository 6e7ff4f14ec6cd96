import { Type } from '@fastify/type-provider-typebox';
import { Page, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { PayBasis } from '../timesheets/timesheets.schemas.js';

const Pct = Type.Union([
  Type.Integer({ minimum: 0, maximum: 1000, description: 'A percentage of the hourly base' }),
  Type.Null(),
]);
const Threshold = Type.Union([
  Type.Integer({
    minimum: 60,
    maximum: 7 * 24 * 60,
    description: 'Minutes per ISO week (Monday to Sunday, local)',
  }),
  Type.Null(),
]);

export const ProfileParams = Type.Object({ org_id: Uuid, profile_id: Uuid });
export const BindingParams = Type.Object({ org_id: Uuid, binding_id: Uuid });

export const RateProfile = Type.Object({
  id: Uuid,
  org_id: Uuid,
  name: Type.String(),
  basis: PayBasis,
  base_amount_cents: Type.Integer({ description: 'Per hour, day or cachet, in minor units of `currency`' }),
  currency: Type.String(),
  night_premium_pct: Pct,
  sunday_premium_pct: Pct,
  holiday_premium_pct: Pct,
  overtime_premium_pct: Pct,
  overtime_weekly_threshold_minutes: Threshold,
  created_at: Timestamp,
  updated_at: Timestamp,
});

const profileFields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  basis: PayBasis,
  base_amount_cents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  night_premium_pct: Type.Optional(Pct),
  sunday_premium_pct: Type.Optional(Pct),
  holiday_premium_pct: Type.Optional(Pct),
  overtime_premium_pct: Type.Optional(Pct),
  overtime_weekly_threshold_minutes: Type.Optional(Threshold),
};

const profileExample = {
  name: 'Rigger, hourly',
  basis: 'HOURLY',
  base_amount_cents: 1850,
  night_premium_pct: 25,
  sunday_premium_pct: 50,
  holiday_premium_pct: 100,
  overtime_premium_pct: 25,
  overtime_weekly_threshold_minutes: 2100,
};

export const CreateProfileBody = Type.Object(profileFields, {
  additionalProperties: false,
  examples: [profileExample],
});

export const UpdateProfileBody = Type.Partial(Type.Object(profileFields), {
  additionalProperties: false,
  examples: [{ base_amount_cents: 1900, night_premium_pct: 30 }],
});

export const RateBinding = Type.Object({
  id: Uuid,
  org_id: Uuid,
  profile_id: Uuid,
  user_id: Type.Union([Uuid, Type.Null()]),
  role_name: Type.Union([Type.String(), Type.Null()]),
  mission_id: Type.Union([Uuid, Type.Null()]),
  target: StringEnum(['mission_user', 'mission', 'role_user', 'role', 'user'] as const, {
    description: 'What the binding applies to, most specific first',
  }),
  created_at: Timestamp,
});

export const CreateBindingBody = Type.Object(
  {
    profile_id: Uuid,
    user_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    role_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    mission_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      { profile_id: '9a1e2b3c-4d5e-4f60-8a7b-1c2d3e4f5a6b', user_id: '3f0b6a4e-1c1d-4a55-9d5e-0a6c2f1b7e21' },
    ],
  },
);

export const BindingsQuery = Type.Object({ user_id: Type.Optional(Uuid) });
export const RateProfilePage = Page(RateProfile);
export const RateBindingPage = Page(RateBinding);
