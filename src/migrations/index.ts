import type { Migration } from 'kysely';
import * as initial from './20261121_0001_initial.js';
import * as canonicalTimestamps from './20261201_0002_canonical_timestamps.js';
import * as eventsNotifications from './20261201_0003_events_notifications.js';
import * as calendarFeeds from './20261201_0004_calendar_feeds.js';
import * as hoursAndPay from './20261201_0005_hours_and_pay.js';
import * as orgCompositeKeys from './20261201_0006_org_composite_keys.js';
import * as webhooks from './20261201_0007_webhooks.js';
import * as personMonthMinutes from './20261202_0008_person_month_minutes.js';
import * as dpaeReminders from './20261202_0009_dpae_reminders.js';
import * as assignmentsByMission from './20261202_0010_assignments_by_mission.js';
import * as remindersByAssignment from './20261203_0011_reminders_by_assignment.js';

/** Every migration, in order. Names sort in the order they apply; a merged migration is never edited. */
export const migrations: Record<string, Migration> = {
  '20261121_0001_initial': initial,
  '20261201_0002_canonical_timestamps': canonicalTimestamps,
  '20261201_0003_events_notifications': eventsNotifications,
  '20261201_0004_calendar_feeds': calendarFeeds,
  '20261201_0005_hours_and_pay': hoursAndPay,
  '20261201_0006_org_composite_keys': orgCompositeKeys,
  '20261201_0007_webhooks': webhooks,
  '20261202_0008_person_month_minutes': personMonthMinutes,
  '20261202_0009_dpae_reminders': dpaeReminders,
  '20261202_0010_assignments_by_mission': assignmentsByMission,
  '20261203_0011_reminders_by_assignment': remindersByAssignment,
};
