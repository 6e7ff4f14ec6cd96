import type { FastifyPluginAsync } from 'fastify';
import { projectRoutes } from './projects/projects.routes.js';
import { projectCalendarRoutes } from './calendar/calendar.routes.js';
import { missionRoutes } from './missions/missions.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { availabilityRoutes } from './availability/availability.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { membersRoutes } from './members/members.routes.js';
import { orgRoutes } from './orgs/orgs.routes.js';
import { assignmentsRoutes } from './assignments/assignments.routes.js';
import { staffingRoutes } from './staffing/staffing.routes.js';
import { assignmentLinkRoutes } from './links/links.routes.js';
import { suggestionsRoutes } from './suggestions/suggestions.routes.js';
import { hoursAndPayRoutes } from './hours-and-pay.routes.js';
import { notificationRoutes } from './notifications/notifications.routes.js';
import { liveOrgRoutes } from './live/live.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';

/**
 * Every feature whose routes live under `/api/v1/orgs/:org_id`. Each route there declares a role in
 * `config.access`; the access hook checks the role and that `:org_id` is the token's org.
 */
export const orgScopedRoutes: FastifyPluginAsync = async (app) => {
  await app.register(orgRoutes);
  await app.register(membersRoutes);
  await app.register(assignmentsRoutes);
  await app.register(staffingRoutes);
  await app.register(assignmentLinkRoutes);
  await app.register(suggestionsRoutes);
  await app.register(hoursAndPayRoutes);
  await app.register(notificationRoutes);
  await app.register(projectRoutes);
  await app.register(projectCalendarRoutes);
  await app.register(missionRoutes);
  await app.register(availabilityRoutes);
  await app.register(auditRoutes);
  await app.register(usersRoutes);
  await app.register(liveOrgRoutes);
  await app.register(webhookRoutes);
};
