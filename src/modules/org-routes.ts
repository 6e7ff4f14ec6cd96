import type { FastifyPluginAsync } from 'fastify';
import { auditRoutes } from './audit/audit.routes.js';
import { projectRoutes } from './projects/projects.routes.js';
import { missionRoutes } from './missions/missions.routes.js';
import { availabilityRoutes } from './availability/availability.routes.js';
import { usersRoutes } from './users/users.routes.js';

/**
 * Every feature whose routes live under `/api/v1/orgs/:org_id`. Each route there declares a role in
 * `config.access`; the access hook checks the role and that `:org_id` is the token's org.
 */
export const orgScopedRoutes: FastifyPluginAsync = async (app) => {
  // features register here: await app.register(xxxRoutes);
  await app.register(projectRoutes);
  await app.register(missionRoutes);
  await app.register(availabilityRoutes);
  await app.register(auditRoutes);
  await app.register(usersRoutes);
};
