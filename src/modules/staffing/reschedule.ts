import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Tx } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import { AppError } from '../../platform/errors.js';
import { contextFor, listAcceptedCrew, loadBusyContexts, loadRuleSettings } from './busy.repository.js';
import { judge, LOOKAROUND_MS, type Interval } from './rules.js';

/** The rules a new time may never break for people already accepted: nobody is in two places at once. */
const INVARIANTS = new Set(['overlap_accepted', 'busy_elsewhere']);

/**
 * Before a mission moves, checks its ACCEPTED crew against the new times, under their row locks (taken in id
 * order, so two moves never deadlock): a move that would double-book someone is 409 `conflict` with the reasons,
 * each naming the person. Labour rules (rest, hours) are not blocking here; `GET …/conflicts` lists them.
 */
export async function assertCrewFree(
  tx: Tx,
  orgId: OrgId,
  missionId: string,
  moved: Interval,
): Promise<void> {
  const crew = await listAcceptedCrew(tx, orgId, missionId);
  if (crew.length === 0) return;
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
    judge(moved, contextFor(contexts, user_id, id), settings)
      .filter((r) => INVARIANTS.has(r.rule))
      .map((r) => ({ ...r, user_id })),
  );
  if (reasons.length > 0) {
    throw new AppError(
      'reschedule_conflict',
      'Moving the mission would double-book people already accepted on it',
      {
        reasons,
      },
    );
  }
}
