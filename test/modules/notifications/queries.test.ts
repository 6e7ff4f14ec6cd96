import { describe, expect, it } from 'vitest';
import {
  dropQueuedRemindersQuery,
  queuedRemindersQuery,
} from '../../../src/modules/notifications/notifications.repository.js';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { queryPlan } from '../../helpers/query-plan.js';

const ASSIGNMENTS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

/** The planner's lookups on every answer and change: by their index, whatever the size of the queue. */
describe.each(DIALECTS)('the notification planner’s lookups on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('finds and drops an assignment’s waiting reminders by assignment, not by reading every queued notification', async () => {
    const db = ctx.app.database.db;
    for (const query of [queuedRemindersQuery(db, ASSIGNMENTS), dropQueuedRemindersQuery(db, ASSIGNMENTS)]) {
      const plan = await queryPlan(ctx.app.database, query);
      expect(plan).toContain('notifications_assignment_kind_state_idx');
      // before migration 0011 SQLite read the queue by (state, due_at): every queued reminder of every org
      expect(plan).not.toContain('notifications_due_idx');
    }
  });
});
