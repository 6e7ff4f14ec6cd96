import type { Readable } from 'node:stream';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemResponses, StringEnum, Uuid } from '../../platform/http/schemas.js';
import { findOrg } from '../orgs/orgs.repository.js';
import { Month } from '../timesheets/timesheets.schemas.js';
import { aemCsv, monthlyCsv } from './csv-export.js';
import { eachPersonMonth } from './export-rows.js';
import { prepareRun } from './payroll.service.js';
import { monthlyPdf } from './pdf-export.js';
import { monthlyXlsx } from './xlsx-export.js';

const tags = ['pay'];
const Decimal = StringEnum(['point', 'comma'] as const, {
  description: 'Decimal mark of hours and amounts',
  default: 'point',
});
const CsvQuery = Type.Object({ month: Month, decimal: Type.Optional(Decimal) });
const File = (type: string) =>
  Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: `The file (${type}), streamed` });
const AMOUNTS =
  'Amounts are left empty unless the caller may see them (admins, owners; managers if the org allows).';

/** Payroll files for a month: CSV, XLSX, a PDF statement per person, an AEM-oriented CSV; all streamed. */
export const exportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const attachment = (name: string) => `attachment; filename="${name}"`;

  app.get(
    '/pay/exports/monthly.csv',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Monthly hours and amounts per person, as CSV',
        description:
          '`;`-separated, UTF-8 with BOM, CRLF, a header row: user_id;user_name;employment_type;month;' +
          'hours_planned;hours_worked;hours_confirmed;cachets;night_hours;sunday_hours;holiday_hours;' +
          `overtime_hours;amount;currency. Hours are decimal hours (7.50 = 7 h 30). ${AMOUNTS}`,
        params: OrgParams,
        querystring: CsvQuery,
        produces: ['text/csv'],
        response: { 200: File('text/csv'), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const run = await prepareRun(db, scope);
      const { month, decimal = 'point' } = request.query;
      const rows = eachPersonMonth(db, scope, run, month);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', attachment(`hours-${month}.csv`))
        .send(
          monthlyCsv(rows, { decimal, currency: run.settings.currency, amountsVisible: run.amountsVisible }),
        );
    },
  );

  app.get(
    '/pay/exports/aem.csv',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'AEM-oriented CSV: employment type, hours or cachets, gross amount per person',
        description:
          'One line per person with approved work in the month: user_id;user_name;employment_type;month;basis ' +
          '(HOURS, CACHETS, HOURS_AND_CACHETS);hours;cachets;gross_amount;currency. Hours exclude cachet ' +
          `engagements. A help for filling the AEM, not the declaration itself. ${AMOUNTS}`,
        params: OrgParams,
        querystring: CsvQuery,
        produces: ['text/csv'],
        response: { 200: File('text/csv'), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const run = await prepareRun(db, scope);
      const { month, decimal = 'point' } = request.query;
      const rows = eachPersonMonth(db, scope, run, month);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', attachment(`aem-${month}.csv`))
        .send(aemCsv(rows, { decimal, currency: run.settings.currency, amountsVisible: run.amountsVisible }));
    },
  );

  app.get(
    '/pay/exports/monthly.xlsx',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Monthly hours and amounts per person, as XLSX',
        description: `One sheet named after the month; hours and amounts are numbers. ${AMOUNTS}`,
        params: OrgParams,
        querystring: Type.Object({ month: Month }),
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: File('XLSX'), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const run = await prepareRun(db, scope);
      const { month } = request.query;
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', attachment(`hours-${month}.xlsx`))
        .send(
          monthlyXlsx(eachPersonMonth(db, scope, run, month), {
            month,
            currency: run.settings.currency,
            amountsVisible: run.amountsVisible,
          }),
        );
    },
  );

  app.get(
    '/pay/exports/statements.pdf',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'A4 hours statements, one page per person',
        description: `In French or English (\`lang\`); \`user_id\` for one person's page. ${AMOUNTS}`,
        params: OrgParams,
        querystring: Type.Object({
          month: Month,
          user_id: Type.Optional(Uuid),
          lang: Type.Optional(StringEnum(['fr', 'en'] as const, { default: 'fr' })),
        }),
        produces: ['application/pdf'],
        response: { 200: File('PDF'), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const { month, user_id: userId, lang = 'fr' } = request.query;
      const run = await prepareRun(db, scope, userId);
      const org = await findOrg(db, scope.orgId);
      return reply
        .type('application/pdf')
        .header('content-disposition', attachment(`statements-${month}.pdf`))
        .send(
          monthlyPdf(eachPersonMonth(db, scope, run, month), {
            orgName: org?.name ?? '',
            currency: run.settings.currency,
            amountsVisible: run.amountsVisible,
            lang,
          }),
        );
    },
  );
};
