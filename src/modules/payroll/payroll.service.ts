import { limitedToOwn, type OrgScope } from '../../platform/auth/org-scope.js';
import type { Db } from '../../platform/db/database.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { findOwnUserId } from '../users/users.repository.js';
import { existsInOrg } from '../rates/rates.repository.js';
import { notFound } from '../../platform/errors.js';
import { addMonths, monthRange } from '../pay/months.js';
import { seesAmounts } from '../pay/pay-access.js';
import { loadPaySettings, workContextOf, type PaySettings } from '../pay/pay-settings.repository.js';
import { mondayOf } from '../pay/work-time.js';
import { zonedDateTimeToUtc } from '../../platform/timezone.js';
import { payLines, type PricingContext } from './pay-lines.js';
import { orgMonth } from './org-month.js';
import { engagementsOf, loadRates, userPage } from './payroll.repository.js';
import {
  countedMinutes,
  HOURS_PER_CACHET,
  INTERMITTENT_THRESHOLD_HOURS,
  personMonth,
  type PersonMonth,
} from './totals.js';

/** People per database round trip when walking an org: bounds memory whatever the org's size. */
export const EXPORT_PAGE = 500;

export interface MonthRun {
  settings: PaySettings;
  amountsVisible: boolean;
  /** the people this caller may see: one (a tech's own, or a filter) or the whole org */
  userId: string | undefined;
  /** a tech with no linked person sees nothing */
  empty: boolean;
}

/** Who the caller may total: a tech only the person linked to their account. */
export async function prepareRun(db: Db, scope: OrgScope, userId?: string): Promise<MonthRun> {
  const settings = await loadPaySettings(db, scope.orgId);
  let target = userId;
  let empty = false;
  if (limitedToOwn(scope)) {
    const own = await findOwnUserId(db, scope);
    if (!own || (userId && userId !== own)) empty = true;
    target = own ?? undefined;
  }
  return { settings, amountsVisible: seesAmounts(scope, settings), userId: target, empty };
}

async function pricingContext(db: Db, scope: OrgScope, settings: PaySettings): Promise<PricingContext> {
  return { work: workContextOf(settings), ...(await loadRates(db, scope.orgId)) };
}

/** The UTC range to read for a month: from the Monday of its first week (weekly overtime looks back). */
export function readRange(month: string, settings: PaySettings) {
  const { from, to } = monthRange(month, settings.timezone);
  return {
    from: zonedDateTimeToUtc(mondayOf(`${month}-01`), '00:00', settings.timezone),
    monthFrom: from,
    to,
  };
}

/**
 * The month of each person, page after page of people (keyset on name, id), each page's engagements read through
 * the people's index: the JSON totals (a page and its cursor) and an export of one person. Yields the cursor of
 * the last person read with each page.
 */
export async function* personMonths(
  db: Db,
  scope: OrgScope,
  run: MonthRun,
  month: string,
  options: {
    pageSize?: number;
    cursor?: (string | number)[] | undefined;
    maxPages?: number;
  } = {},
): AsyncGenerator<{ items: PersonMonth[]; cursor: (string | number)[] | null }> {
  if (run.empty) return;
  const ctx = await pricingContext(db, scope, run.settings);
  const { from, to } = readRange(month, run.settings);
  const pageSize = options.pageSize ?? EXPORT_PAGE;
  let cursor = options.cursor;
  for (let page = 0; options.maxPages === undefined || page < options.maxPages; page++) {
    const users = await userPage(db, scope.orgId, pageSize, cursor, run.userId);
    if (users.length === 0) return;
    const engagements = await engagementsOf(
      db,
      scope.orgId,
      users.map((u) => u.id),
      from,
      to,
    );
    const items: PersonMonth[] = [];
    for (const user of users) {
      const rows = engagements.get(user.id);
      const total = rows ? personMonth(payLines(rows, ctx), month) : null;
      if (total) items.push(total);
    }
    const last = users.at(-1)!;
    cursor = users.length < pageSize ? undefined : [last.last_name, last.first_name, last.id];
    yield { items, cursor: cursor ?? null };
    if (!cursor) return;
  }
}

/**
 * The month of every person of the org, for an export: one pass over the month's missions, people in the same
 * name order as `personMonths` (see `orgMonth`).
 */
export async function* orgPersonMonths(
  db: Db,
  scope: OrgScope,
  run: MonthRun,
  month: string,
): AsyncGenerator<PersonMonth> {
  if (run.empty) return;
  const ctx = await pricingContext(db, scope, run.settings);
  const { from, to } = readRange(month, run.settings);
  yield* orgMonth(db, scope.orgId, ctx, month, { from, to });
}

/** Amounts become null for a caller who may not see money. */
const HIDDEN = { amount_cents: null, base_cents: null, premiums_cents: null };
export function withVisibility(total: PersonMonth, visible: boolean) {
  if (visible) return { ...total, amounts_visible: true };
  return {
    ...total,
    ...HIDDEN,
    by_project: total.by_project.map((p) => ({ ...p, ...HIDDEN })),
    amounts_visible: false,
  };
}

export async function monthlyTotals(
  db: Db,
  scope: OrgScope,
  input: { month: string; user_id?: string | undefined; limit: number; cursor?: string | undefined },
) {
  const run = await prepareRun(db, scope, input.user_id);
  const cursor = input.cursor ? decodeCursor(input.cursor, ['text', 'text', 'uuid']) : undefined;
  for await (const page of personMonths(db, scope, run, input.month, {
    pageSize: input.limit,
    cursor,
    maxPages: 1,
  })) {
    return {
      currency: run.settings.currency,
      items: page.items.map((t) => withVisibility(t, run.amountsVisible)),
      next_cursor: page.cursor ? encodeCursor(page.cursor) : null,
    };
  }
  return { currency: run.settings.currency, items: [], next_cursor: null };
}

/** A person's 12 local months up to `month`: approved hours + 12 × cachets, against 507. */
export async function rolling507(db: Db, scope: OrgScope, userId: string, month: string) {
  const run = await prepareRun(db, scope, userId);
  const fromMonth = addMonths(month, -11);
  const result = {
    user_id: userId,
    from_month: fromMonth,
    to_month: month,
    hours_minutes: 0,
    cachets: 0,
    counted_minutes: 0,
    counted_hours: 0,
    hours_per_cachet: HOURS_PER_CACHET,
    threshold_hours: INTERMITTENT_THRESHOLD_HOURS,
    reached: false,
  };
  if (run.empty || !(await existsInOrg(db, scope.orgId, 'users', userId))) throw notFound('User');
  const ctx = await pricingContext(db, scope, run.settings);
  const from = monthRange(fromMonth, run.settings.timezone).from;
  const to = monthRange(month, run.settings.timezone).to;
  const rows = (await engagementsOf(db, scope.orgId, [userId], from, to)).get(userId) ?? [];
  const counted = countedMinutes(payLines(rows, ctx));
  return {
    ...result,
    ...counted,
    counted_hours: Math.round((counted.counted_minutes / 60) * 100) / 100,
    reached: counted.counted_minutes >= INTERMITTENT_THRESHOLD_HOURS * 60,
  };
}
