/** Many missions at once: an explicit list, or a template repeated over dates in the org's time zone. */
import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { DAY, isoNow } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { AppError } from '../../platform/errors.js';
import { DEFAULT_TIMEZONE, zonedDateTimeToUtc } from '../../platform/timezone.js';
import { findOrg } from '../orgs/orgs.repository.js';
import { loadWritableProject } from '../projects/projects.service.js';
import { insertMissions, insertRoles, toMission } from './missions.repository.js';
import { raiseLongestMission } from '../staffing/month-minutes.repository.js';
import { MAX_BULK } from './missions.schemas.js';
import { invalid, missionTimes, draft, type BulkInput, type Draft } from './missions.domain.js';

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const isoWeekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;

function tooMany(count: string): AppError {
  return invalid(
    `A bulk request creates at most ${MAX_BULK} missions (this one: ${count})`,
    '/',
    `more than ${MAX_BULK} missions`,
  );
}

/** The local dates a template repeats on, checked and in order. */
function templateDates(input: BulkInput): string[] {
  if (input.dates) return [...input.dates].sort();
  // the schema requires from, to and weekdays together whenever dates is absent
  const { from, to, weekdays } = input as { from: string; to: string; weekdays: number[] };
  if (to < from) throw invalid('to must not be before from', '/to', 'must not be before from');
  const days = new Set(weekdays);
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (!days.has(isoWeekday(date))) continue;
    dates.push(date);
    if (dates.length > MAX_BULK) throw tooMany(`more than ${MAX_BULK}`);
  }
  if (dates.length === 0) {
    throw invalid('No date between from and to falls on the weekdays', '/weekdays', 'matches no date');
  }
  return dates;
}

function bulkShape(input: BulkInput): 'missions' | 'dates' | 'range' {
  const present = (['missions', 'template', 'dates', 'from', 'to', 'weekdays'] as const).filter(
    (k) => input[k] !== undefined,
  );
  const is = (...keys: string[]) =>
    present.length === keys.length && keys.every((k) => present.includes(k as never));
  if (is('missions')) return 'missions';
  if (is('template', 'dates')) return 'dates';
  if (is('template', 'from', 'to', 'weekdays')) return 'range';
  throw invalid(
    'The body is one of {missions}, {template, dates} or {template, from, to, weekdays}',
    '/',
    `unexpected combination of fields: ${present.join(', ') || 'none'}`,
  );
}

/**
 * Creates many missions in one transaction: all or nothing. Every mission is checked before anything is
 * written; each gets its own `mission.bulk_create` audit row, so a mission's history starts with its creation.
 */
export async function bulkCreateMissions(db: Db, scope: OrgScope, projectId: string, input: BulkInput) {
  const { orgId } = scope;
  const shape = bulkShape(input);
  return db.transaction().execute(async (tx) => {
    await loadWritableProject(tx, orgId, projectId);
    const now = isoNow();
    let drafts: Draft[];
    if (shape === 'missions') {
      drafts = input.missions!.map((m, i) =>
        draft(orgId, projectId, m, missionTimes(m.starts_at, m.ends_at, `/missions/${i}`), now),
      );
    } else {
      const template = input.template!;
      const dates = templateDates(input);
      const timeZone = (await findOrg(tx, orgId))?.timezone ?? DEFAULT_TIMEZONE;
      const overnight = template.end_time <= template.start_time;
      drafts = dates.map((date) => {
        const startsAt = zonedDateTimeToUtc(date, template.start_time, timeZone);
        const endsAt = zonedDateTimeToUtc(overnight ? addDays(date, 1) : date, template.end_time, timeZone);
        return draft(orgId, projectId, template, missionTimes(startsAt, endsAt, '/template'), now);
      });
    }
    if (drafts.length > MAX_BULK) throw tooMany(String(drafts.length));
    await insertMissions(
      tx,
      drafts.map((d) => d.mission),
    );
    await raiseLongestMission(
      tx,
      orgId,
      drafts.map((d) => d.mission),
    );
    await insertRoles(
      tx,
      drafts.flatMap((d) => d.roles),
    );
    for (const d of drafts) {
      await recordAudit(tx, scope, {
        orgId,
        action: 'mission.bulk_create',
        entityType: 'mission',
        entityId: d.mission.id,
        after: toMission(d.mission, d.roles),
      });
    }
    return { created: drafts.length, ids: drafts.map((d) => d.mission.id) };
  });
}
