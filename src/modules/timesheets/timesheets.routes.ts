import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import { defaultEmptyBody, OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import {
  ReasonBody,
  Timesheet,
  TimesheetBody,
  TimesheetPage,
  TimesheetParams,
  TimesheetsQuery,
} from './timesheets.schemas.js';
import { getTimesheet, listTimesheets, moveTimesheet, saveTimesheet } from './timesheets.service.js';

const tags = ['timesheets'];
const errors = ProblemResponses;

/** Timesheets of ACCEPTED assignments: entered by the person or a manager, approved by a manager. */
export const timesheetsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/timesheets',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'The timesheets of a month',
        description:
          'One per ACCEPTED assignment whose mission starts in the local month, entered or not (`saved`), by ' +
          'mission start. A tech sees only their own. `status=DRAFT` includes the ones not entered yet.',
        params: OrgParams,
        querystring: TimesheetsQuery,
        response: { 200: TimesheetPage, ...errors },
      },
    },
    async (request) =>
      listTimesheets(db, scopeOf(request), { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get(
    '/assignments/:assignment_id/timesheet',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'The timesheet of an assignment',
        description:
          'Not entered yet: the planned times, `saved: false`. Another person’s (for a tech): 404.',
        params: TimesheetParams,
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request) => getTimesheet(db, scopeOf(request), request.params.assignment_id),
  );

  app.put(
    '/assignments/:assignment_id/timesheet',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Enter worked times, breaks and a comment',
        description:
          'By the person (their own) or a manager; `pay_basis` and `cachets` by a manager only (403). Editable ' +
          'while DRAFT or SENT_BACK, SUBMITTED by a manager; APPROVED answers 409 `timesheet_locked`. Omitted ' +
          'fields keep their value (the planned times at first). Audited.',
        params: TimesheetParams,
        body: TimesheetBody,
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request) => saveTimesheet(db, scopeOf(request), request.params.assignment_id, request.body),
  );

  const action = (
    path: string,
    name: 'submit' | 'approve' | 'send_back' | 'reopen',
    access: 'tech' | 'manager',
    summary: string,
    description: string,
  ) =>
    app.post(
      `/assignments/:assignment_id/timesheet/${path}`,
      {
        preValidation: defaultEmptyBody,
        config: { access },
        schema: {
          tags,
          summary,
          description: `${description} Anything else 409 \`invalid_transition\`. Audited.`,
          params: TimesheetParams,
          body: ReasonBody,
          response: { 200: Timesheet, ...errors },
        },
      },
      async (request) =>
        moveTimesheet(db, scopeOf(request), request.params.assignment_id, name, request.body.reason ?? null),
    );

  action(
    'submit',
    'submit',
    'tech',
    'Submit a timesheet',
    'By the person or a manager: DRAFT | SENT_BACK → SUBMITTED.',
  );
  action('approve', 'approve', 'manager', 'Approve a timesheet', 'SUBMITTED → APPROVED, which locks it.');
  action(
    'send-back',
    'send_back',
    'manager',
    'Send a timesheet back',
    'SUBMITTED → SENT_BACK, with an optional `reason`.',
  );
  action(
    'reopen',
    'reopen',
    'manager',
    'Reopen an approved timesheet',
    'APPROVED → DRAFT, with an optional `reason`.',
  );
};
