import { judge, nearby, type BusyContext, type Reason, type RuleSettings } from './rules.js';

export interface Conflict {
  assignment_id: string;
  mission_id: string;
  mission_title: string;
  starts_at: string;
  ends_at: string;
  status: 'INVITED' | 'ACCEPTED';
  user: { id: string; first_name: string; last_name: string };
  reasons: Reason[];
}

/**
 * One person's conflicts from their busy time (loaded over the window and the rules' look-around): each of
 * their assignments overlapping the window, after the cursor's (start, id), in that order, judged against what
 * the rules can see around it; at most `limit + 1` (the extra one says there is a next page). Pure: the
 * conflicts endpoint and the bench's bare baseline both answer with it.
 */
export function personConflictItems(
  context: BusyContext,
  user: Conflict['user'],
  window: { from: number; to: number },
  settings: RuleSettings,
  limit: number,
  after?: { start: number; id: string },
): Conflict[] {
  const afterStart = after?.start ?? -Infinity;
  const afterId = after?.id ?? '';
  const inWindow = context.assignments
    .filter((a) => a.end > window.from && a.start < window.to)
    .filter((a) => a.start > afterStart || (a.start === afterStart && a.assignmentId > afterId))
    .sort((a, b) => a.start - b.start || (a.assignmentId < b.assignmentId ? -1 : 1));
  const found: Conflict[] = [];
  for (const a of inWindow) {
    const reasons = judge(a, nearby(context, a, a.assignmentId), settings);
    if (reasons.length === 0) continue;
    found.push({
      assignment_id: a.assignmentId,
      mission_id: a.missionId,
      mission_title: a.title,
      starts_at: new Date(a.start).toISOString(),
      ends_at: new Date(a.end).toISOString(),
      status: a.status,
      user: { id: user.id, first_name: user.first_name, last_name: user.last_name },
      reasons,
    });
    if (found.length > limit) break;
  }
  return found;
}
