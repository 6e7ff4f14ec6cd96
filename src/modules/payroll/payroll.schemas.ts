import { Type } from '@fastify/type-provider-typebox';
import { EMPLOYMENT_TYPES } from '../../platform/db/tables.js';
import { type TSchema } from '@fastify/type-provider-typebox';
import { PageQuery, StringEnum, Uuid } from '../../platform/http/schemas.js';
import { Month } from '../timesheets/timesheets.schemas.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Cents = Nullable(
  Type.Integer({ description: 'Minor units of `currency`; null when the caller may not see amounts' }),
);
const Premiums = Nullable(
  Type.Object({
    night: Type.Integer(),
    sunday: Type.Integer(),
    holiday: Type.Integer(),
    overtime: Type.Integer(),
  }),
);

const totalsFields = {
  lines: Type.Integer({ description: 'ACCEPTED assignments counted' }),
  planned_minutes: Type.Integer(),
  worked_minutes: Type.Integer({ description: 'Of the saved timesheets, whatever their status' }),
  approved_minutes: Type.Integer({ description: 'Of the APPROVED timesheets (what is paid)' }),
  night_minutes: Type.Integer(),
  sunday_minutes: Type.Integer(),
  holiday_minutes: Type.Integer(),
  overtime_minutes: Type.Integer(),
  cachets: Type.Integer(),
  cachet_minutes: Type.Integer({
    description: 'Approved minutes of cachet engagements (the cachets stand for them)',
  }),
  amount_cents: Cents,
  base_cents: Cents,
  premiums_cents: Premiums,
  unpriced_lines: Type.Integer({
    description: 'Approved lines without a rate of their basis: not in the amount',
  }),
};

export const PersonMonth = Type.Object({
  user_id: Uuid,
  user_name: Type.String(),
  employment_type: StringEnum(EMPLOYMENT_TYPES),
  month: Type.String(),
  ...totalsFields,
  by_project: Type.Array(Type.Object({ project_id: Uuid, project_name: Type.String(), ...totalsFields })),
  amounts_visible: Type.Boolean(),
});

export const TotalsPage = Type.Object({
  currency: Type.String(),
  items: Type.Array(PersonMonth),
  next_cursor: Nullable(Type.String()),
});

export const TotalsQuery = Type.Object({ month: Month, user_id: Type.Optional(Uuid), ...PageQuery });

export const RollingParams = Type.Object({ org_id: Uuid, user_id: Uuid });
export const RollingQuery = Type.Object({ month: Month });
export const Rolling507 = Type.Object({
  user_id: Uuid,
  from_month: Type.String(),
  to_month: Type.String(),
  hours_minutes: Type.Integer({ description: 'Approved minutes of hourly and daily engagements' }),
  cachets: Type.Integer(),
  counted_minutes: Type.Integer({ description: 'hours_minutes + cachets × 12 h' }),
  counted_hours: Type.Number(),
  hours_per_cachet: Type.Integer(),
  threshold_hours: Type.Integer(),
  reached: Type.Boolean(),
});
