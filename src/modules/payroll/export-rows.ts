import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { personMonths, type MonthRun } from './payroll.service.js';
import type { PersonMonth } from './totals.js';

/**
 * Every person's month, one at a time, for the exports: pages of people are read as the consumer pulls, so a
 * slow client holds the database back instead of the server buffering the org.
 */
export async function* eachPersonMonth(
  db: Db,
  scope: OrgScope,
  run: MonthRun,
  month: string,
): AsyncGenerator<PersonMonth> {
  for await (const page of personMonths(db, scope, run, month, { streamed: true })) yield* page.items;
}
