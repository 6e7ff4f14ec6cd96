import type { Insertable } from 'kysely';
import { DAY, HOUR } from '../platform/clock.js';
import type { ProjectStatus, ProjectsTable } from '../platform/db/tables.js';
import { zonedDateTimeToUtc } from '../platform/timezone.js';
import { dateOf, DEMO_TIMEZONE, iso, type DemoCalendar } from './dataset.js';
import type { Random } from './prng.js';
import { CITIES, MISSION_KINDS, PROJECT_KINDS, PROJECT_NAMES, VENUES } from './vocabulary.js';

/** A project row, with what the mission planner needs to know about it. */
export type DemoProject = Insertable<ProjectsTable> & {
  firstDay: number;
  days: number;
  label: string;
  city: string;
};

/** When and where one mission happens, before it is written. */
export interface Slot {
  project: number;
  kind: string;
  starts: number;
  ends: number;
  venue: string;
  seq: number;
}

/** Projects (tours, festivals, fairs, one-offs), each over a stretch of the window: about one per 40 missions. */
export function buildProjects(
  rng: Random,
  missionCount: number,
  calendar: DemoCalendar,
  orgId: string,
): DemoProject[] {
  const { firstDay, lastDay, todayDay } = calendar;
  const projectCount = Math.max(3, Math.round(missionCount / 40));
  const projects: DemoProject[] = [];
  const projectNames = new Set<string>();
  for (let i = 0; i < projectCount; i++) {
    const [label, kind] = rng.pick(PROJECT_KINDS);
    const city = rng.pick(CITIES);
    const days =
      kind === 'tour'
        ? rng.int(20, 120)
        : kind === 'festival'
          ? rng.int(3, 10)
          : kind === 'fair'
            ? rng.int(2, 5)
            : rng.int(1, 30);
    const start = rng.int(firstDay - 10, lastDay - 1);
    const first = Math.max(firstDay, start);
    const end = Math.max(first, Math.min(lastDay, start + days - 1));
    let name = `${label} ${rng.pick(PROJECT_NAMES)} ${kind === 'tour' ? dateOf(first).slice(0, 4) : city}`;
    for (let n = 2; projectNames.has(name); n++) name = `${name.replace(/ #\d+$/, '')} #${n}`;
    projectNames.add(name);
    const status: ProjectStatus =
      end < todayDay
        ? rng.chance(0.7)
          ? 'ARCHIVED'
          : 'ACTIVE'
        : first > todayDay + 30 && rng.chance(0.4)
          ? 'DRAFT'
          : 'ACTIVE';
    const created = iso(Math.min(first - 45, todayDay) * DAY + 9 * HOUR);
    projects.push({
      id: rng.uuid(),
      org_id: orgId,
      name,
      description: rng.chance(0.5) ? `${label} ${kind === 'tour' ? 'en France' : `à ${city}`}` : null,
      status,
      starts_at: zonedDateTimeToUtc(dateOf(first), '00:00', DEMO_TIMEZONE),
      ends_at: zonedDateTimeToUtc(dateOf(end + 1), '00:00', DEMO_TIMEZONE),
      created_at: created,
      updated_at: created,
      firstDay: first,
      days: end - first + 1,
      label: name,
      city,
    });
  }
  return projects;
}

/** The missions' times and places, sorted by start so overlaps can be checked with one "busy until" per user. */
export function planSlots(
  rng: Random,
  missionCount: number,
  projects: DemoProject[],
  calendar: DemoCalendar,
): Slot[] {
  const { localToUtc } = calendar;
  const slots: Slot[] = [];
  for (let i = 0; i < missionCount; i++) {
    const project = rng.int(0, projects.length - 1);
    const p = projects[project]!;
    const spec = rng.weighted(MISSION_KINDS.map((k) => [k, k.weight] as const));
    const starts = localToUtc(dateOf(p.firstDay + rng.int(0, p.days - 1)), rng.pick(spec.starts));
    const hours = rng.int(spec.hours[0], spec.hours[1]);
    const ends = starts + hours * HOUR + (rng.chance(0.3) ? 30 * 60_000 : 0);
    slots.push({ project, kind: spec.kind, starts, ends, venue: rng.pick(VENUES), seq: i });
  }
  slots.sort((a, b) => a.starts - b.starts || a.seq - b.seq);
  return slots;
}
