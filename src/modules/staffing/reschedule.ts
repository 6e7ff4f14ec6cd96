import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Tx } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import { AppError } from '../../platform/errors.js';
import { contextFor, listAcceptedCrew, loadBusyContexts, loadRuleSettings } from './busy.repository.js';
import { isBlocking, judge, LOOKAROUND_MS, type Interval, type Reason } from './rules.js';

/** A reason a move gives, naming the accepted person it is about. */
export type CrewReason = Reason & { user_id: string };

/**
 * Before a mission moves, judges each of its ACCEPTED crew at the new times with the org's rules, as an accept
 * would: any blocking reason (a double-booking, too little rest, too many hours, …) refuses the move with 409
 * `reschedule_conflict`, each reason naming its person; warning reasons come back to show the caller.
 * The caller holds the mission's lock (so nobody accepts meanwhile); the crew's row locks are taken here, in id
 * order, so two moves never deadlock.
 */
export async function judgeMove(
  tx: Tx,
  orgId: OrgId,
  missionId: string,
  moved: Interval,
): Promise<CrewReason[]> {
  const crew = await listAcceptedCrew(tx, orgId, missionId); // ordered by user_id: the lock order
  if (crew.length === 0) return [];
  for (const { user_id } of crew) await lockRow(tx, 'users', user_id);
  const [settings, contexts] = await Promise.all([
    loadRuleSettings(tx, orgId),
    loadBusyContexts(tx, {
      orgId,
      userIds: crew.map((c) => c.user_id),
      window: { start: moved.start - LOOKAROUND_MS, end: moved.end + LOOKAROUND_MS },
    }),
  ]);
  const reasons = crew.flatMap(({ id, user_id }) =>
    judge(moved, contextFor(contexts, user_id, id), settings).map((r) => ({ ...r, user_id })),
  );
  if (isBlocking(reasons)) {
    throw new AppError(
      'reschedule_conflict',
      'Moving the mission would break a blocking rule for people already accepted on it',
      { reasons: reasons.filter((r) => r.severity === 'block') },
    );
  }
  return reasons;
}
