import type { OrgId } from '../../platform/auth/org-scope.js';
import { PostgresAdapter } from 'kysely';
import type { Executor, Tx } from '../../platform/db/database.js';
import { DraftColumns } from './draft-columns.js';
import {
  draftFields,
  emptyDraftFields,
  finishLines,
  type LineOwner,
  type LineProject,
  type PricingContext,
} from './pay-lines.js';
import {
  monthLinesByCursor,
  monthLinesByKeyset,
  projectNames,
  userPage,
  type MonthLineRow,
} from './payroll.repository.js';
import { personMonth, type PersonMonth } from './totals.js';

/**
 * People per round trip when reading the roster, and engagements per keyset page (SQLite) or `FETCH` (PostgreSQL)
 * of the month: a page is what is alive at once while its draft lines are made, so pages of 1,000 keep the young
 * generation's survivors small (SQLite at L: 67–68 MB of RSS growth for a first export, 74–76 MB with pages of
 * 5,000, the same CPU time).
 */
export const ORG_MONTH_PAGES = { people: 5000, lines: 1000 };

/**
 * The whole org's month for the exports, in one pass over the month and in the roster's order:
 * 1. the people, by name (last name, first name, id: the database's order and collation, as the paged walk and
 *    the JSON totals have them), and the projects' names, each read once;
 * 2. the month's engagements in mission start order, then assignment id (three key lookups per row, no person
 *    and no project joined; SQLite: keyset pages, PostgreSQL: a server-side cursor in a read-only transaction),
 *    each turned into its draft line at once (minutes, rate) and kept in columns of numbers (`DraftColumns`),
 *    not as rows or objects;
 * 3. then, person by person in name order, their drafts in mission start order (the order the paged walk reads
 *    them in), their weekly overtime and amounts (`finishLines`) and their month.
 * Memory holds the roster and the month's draft lines (≈ 68,000 with the week before the month at scale L,
 * ≈ 4.4 MB of typed arrays), never the month's rows: a page of them at a time.
 */
export async function* orgMonth(
  db: Executor,
  orgId: OrgId,
  ctx: PricingContext,
  month: string,
  range: { from: string; to: string },
  pages: { people: number; lines: number } = ORG_MONTH_PAGES,
): AsyncGenerator<PersonMonth> {
  let drafts: DraftColumns;
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    drafts = await readMonth(db, orgId, ctx, pages.people, monthLinesByKeyset(db, orgId, range, pages.lines));
  } else {
    // a server-side cursor lives in a transaction; read only, and one snapshot for the roster and the month
    const read = (trx: Tx) =>
      readMonth(trx, orgId, ctx, pages.people, monthLinesByCursor(trx, orgId, range, pages.lines));
    drafts = db.isTransaction
      ? await read(db as Tx)
      : await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
  }
  for (const personDrafts of drafts.byPerson()) {
    const total = personMonth(finishLines(personDrafts), month);
    if (total) yield total;
  }
}

/** The roster, the projects, then the month's engagements as draft lines (steps 1 and 2 above). */
async function readMonth(
  db: Executor,
  orgId: OrgId,
  ctx: PricingContext,
  peoplePage: number,
  pagesOfLines: AsyncIterable<MonthLineRow[]>,
): Promise<DraftColumns> {
  const people: LineOwner[] = [];
  const personIndex = new Map<string, number>();
  for (let cursor: (string | number)[] | undefined; ;) {
    const page = await userPage(db, orgId, peoplePage, cursor);
    for (const u of page) {
      personIndex.set(u.id, people.length);
      people.push({
        user_id: u.id,
        user_name: `${u.first_name} ${u.last_name}`,
        employment_type: u.employment_type,
      });
    }
    const last = page.at(-1);
    if (!last || page.length < peoplePage) break;
    cursor = [last.last_name, last.first_name, last.id];
  }
  const projects: LineProject[] = [];
  const projectIndex = new Map<string, number>();
  for (const [id, name] of await projectNames(db, orgId)) {
    projectIndex.set(id, projects.length);
    projects.push({ project_id: id, project_name: name });
  }

  const drafts = new DraftColumns(people, projects);
  const fields = emptyDraftFields(); // one for the whole month: no object left behind per line
  for await (const rows of pagesOfLines) {
    for (const row of rows) {
      // the paged walk joins the person and the project: an engagement without either is not a line
      const person = personIndex.get(row.user_id);
      const project = projectIndex.get(row.project_id);
      if (person === undefined || project === undefined) continue;
      drafts.add(person, project, draftFields(row, ctx, fields));
    }
    // SQLite answers synchronously: let the event loop (other requests, the sockets) in between pages
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return drafts;
}
