import type { AssignmentStatus } from '../../platform/db/tables.js';
import { statusOfAssignment, type CalendarEntry } from './ics.js';

/** What a calendar shows of one assignment, whichever query found it. */
export interface AssignmentForCalendar {
  id: string;
  status: AssignmentStatus;
  updated_at: string;
  mission_updated_at: string;
  title: string;
  starts_at: string;
  ends_at: string;
  location: string | null;
  notes: string | null;
  role_name: string;
  org_name: string;
}

const later = (a: string, b: string) => (a > b ? a : b);

/** The UID is the assignment's id: the one-mission file and the feed name the same event, never twice. */
export function assignmentEntry(a: AssignmentForCalendar): CalendarEntry {
  return {
    uid: a.id,
    startsAt: a.starts_at,
    endsAt: a.ends_at,
    summary: `${a.title} (${a.role_name})`,
    description: [`${a.org_name} · ${a.role_name}`, a.notes].filter(Boolean).join('\n\n'),
    location: a.location,
    status: statusOfAssignment(a.status),
    updatedAt: later(a.updated_at, a.mission_updated_at),
  };
}
