import { Type } from '@fastify/type-provider-typebox';
import { PAY_BASES, TIMESHEET_STATUSES } from '../../platform/db/tables.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { MONTH_PATTERN } from '../pay/months.js';

export const TimesheetParams = Type.Object({ org_id: Uuid, assignment_id: Uuid });
export const PayBasis = StringEnum(PAY_BASES, {
  description:
    'HOURLY: worked hours × hourly rate; DAILY: one day; CACHET: cachets × rate (12 h each toward 507)',
});
export const TimesheetStatus = StringEnum(TIMESHEET_STATUSES);
export const Month = Type.String({
  pattern: MONTH_PATTERN,
  description: 'A local month, YYYY-MM',
  examples: ['2031-03'],
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Timesheet = Type.Object({
  assignment_id: Uuid,
  timesheet_id: Nullable(Uuid),
  saved: Type.Boolean({ description: 'false: nothing entered yet, the planned times are shown' }),
  user_id: Uuid,
  user_name: Type.String(),
  mission: Type.Object({ id: Uuid, title: Type.String(), starts_at: Timestamp, ends_at: Timestamp }),
  project: Type.Object({ id: Uuid, name: Type.String() }),
  role_name: Type.String(),
  status: TimesheetStatus,
  worked_start: Timestamp,
  worked_end: Timestamp,
  break_minutes: Type.Integer(),
  comment: Nullable(Type.String()),
  pay_basis: Nullable(PayBasis),
  cachets: Nullable(Type.Integer()),
  submitted_at: Nullable(Timestamp),
  decided_at: Nullable(Timestamp),
  decided_by: Nullable(Uuid),
  sent_back_reason: Nullable(Type.String()),
  minutes: Type.Object(
    {
      planned: Type.Integer(),
      elapsed: Type.Integer(),
      worked: Type.Integer({ description: 'elapsed − breaks' }),
      night: Type.Integer(),
      sunday: Type.Integer(),
      holiday: Type.Integer(),
    },
    {
      description: 'In the org time zone; night, Sunday and holiday minutes never exceed the worked minutes',
    },
  ),
});

export const TimesheetPage = Page(Timesheet);

export const TimesheetBody = Type.Object(
  {
    worked_start: Type.Optional(Timestamp),
    worked_end: Type.Optional(Timestamp),
    break_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    pay_basis: Type.Optional(Nullable(PayBasis)),
    cachets: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 31 }))),
  },
  {
    additionalProperties: false,
    examples: [
      {
        worked_start: '2031-03-05T19:00:00.000Z',
        worked_end: '2031-03-06T03:30:00.000Z',
        break_minutes: 30,
        comment: 'Get-out ran late',
      },
    ],
  },
);

export const ReasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
  { additionalProperties: false, examples: [{ reason: 'The break is missing' }] },
);

export const TimesheetsQuery = Type.Object({
  month: Month,
  user_id: Type.Optional(Uuid),
  status: Type.Optional(TimesheetStatus),
  ...PageQuery,
});
