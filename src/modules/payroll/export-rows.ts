import type { OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { orgPersonMonths, personMonths, type MonthRun } from './payroll.service.js';
import type { PersonMonth } from './totals.js';

/**
 * Every person's month, one at a time, for the exports, in name order. The whole org: one pass over the month
 * (`orgMonth`), then people are handed over as the consumer pulls. One person (a PDF page): the paged walk.
 */
export async function* eachPersonMonth(
  db: Db,
  scope: OrgScope,
  run: MonthRun,
  month: string,
): AsyncGenerator<PersonMonth> {
  if (!run.userId) {
    yield* orgPersonMonths(db, scope, run, month);
    return;
  }
  for await (const page of personMonths(db, scope, run, month)) yield* page.items;
}
