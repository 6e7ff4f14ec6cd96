import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  BulkBody,
  BulkResult,
  DuplicateBody,
  Mission,
  MissionInput,
  MissionList,
  MissionListQuery,
  MissionParams,
  MissionPatch,
  UpdatedMission,
  OrgParams,
  ProjectParams,
  RoleInput,
  RoleParams,
  RolePatch,
  RoleResponse,
} from './missions.schemas.js';
import { bulkCreateMissions } from './missions-bulk.service.js';
import { addRole, deleteRole, updateRole } from './mission-roles.service.js';
import {
  createMission,
  deleteMission,
  duplicateMission,
  getMission,
  listMissions,
  publishMission,
  updateMission,
} from './missions.service.js';

const tags = ['missions'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema };
const writeErrors = { ...errors, 404: ProblemSchema, 409: ProblemSchema };
const Deleted = Type.Null({ description: 'Deleted' });
const ARCHIVED = 'Answers 409 `project_archived` when the mission’s project is archived.';

export const missionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = () => app.database.db;

  app.post(
    '/projects/:project_id/missions',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Create a mission with its roles',
        description: `\`ends_at\` must be after \`starts_at\` (and within 31 days). The mission starts unpublished. ${ARCHIVED}`,
        params: ProjectParams,
        body: MissionInput,
        response: { 201: Mission, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { project_id } = request.params;
      const mission = await createMission(db(), scopeOf(request), project_id, request.body);
      return reply.code(201).send(mission);
    },
  );

  app.post(
    '/projects/:project_id/missions/bulk',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Create many missions at once (explicit list or a template repeated over days)',
        description:
          'All or nothing, in one transaction, at most 500 missions (400 beyond). Template times are ' +
          'wall-clock times in the org’s time zone, converted to UTC date by date (correct across DST ' +
          `changes); an \`end_time\` at or before \`start_time\` ends the next day. ${ARCHIVED}`,
        params: ProjectParams,
        body: BulkBody,
        response: { 201: BulkResult, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { project_id } = request.params;
      const result = await bulkCreateMissions(db(), scopeOf(request), project_id, request.body);
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/missions',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'List missions',
        description:
          'Ordered by starts_at then id, keyset-paginated. `from`/`to` select the missions overlapping the ' +
          'window (ends_at > from and starts_at < to). A tech only ever sees published missions.',
        params: OrgParams,
        querystring: MissionListQuery,
        response: { 200: MissionList, ...errors },
      },
    },
    async (request) => listMissions(db(), scopeOf(request), request.query),
  );

  app.get(
    '/missions/:mission_id',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Get a mission with its roles',
        description: 'An unpublished mission answers 404 to a tech.',
        params: MissionParams,
        response: { 200: Mission, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => getMission(db(), scopeOf(request), request.params.mission_id),
  );

  app.patch(
    '/missions/:mission_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Change a mission',
        description:
          'Roles are changed through their own routes. New times re-judge every accepted person with the ' +
          'org’s rules, like an accept: a blocking rule answers 409 `reschedule_conflict` naming the people ' +
          'and rules; warning rules come back in `warnings`. A new `starts_at` or `ends_at` alone that contradicts ' +
          `the stored other one is 409 \`dates_conflict\`. ${ARCHIVED}`,
        params: MissionParams,
        body: MissionPatch,
        response: { 200: UpdatedMission, ...writeErrors },
      },
    },
    async (request) => updateMission(db(), scopeOf(request), request.params.mission_id, request.body),
  );

  app.delete(
    '/missions/:mission_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Delete a mission',
        description: `409 \`in_use\` when it has accepted assignments: cancel it instead. ${ARCHIVED}`,
        params: MissionParams,
        response: { 204: Deleted, ...writeErrors },
      },
    },
    async (request, reply) => {
      await deleteMission(db(), scopeOf(request), request.params.mission_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/missions/:mission_id/duplicate',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Copy a mission to another start time',
        description: `Same project, title, duration, location, notes and roles (nobody accepted); unpublished. ${ARCHIVED}`,
        params: MissionParams,
        body: DuplicateBody,
        response: { 201: Mission, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { mission_id } = request.params;
      const copy = await duplicateMission(db(), scopeOf(request), mission_id, request.body);
      return reply.code(201).send(copy);
    },
  );

  app.post(
    '/missions/:mission_id/publish',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Publish a mission (techs can then see it)',
        description: `Idempotent: publishing a published mission returns it unchanged. ${ARCHIVED}`,
        params: MissionParams,
        response: { 200: Mission, ...writeErrors },
      },
    },
    async (request) => publishMission(db(), scopeOf(request), request.params.mission_id),
  );

  app.post(
    '/missions/:mission_id/roles',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Add a role to a mission',
        description: ARCHIVED,
        params: MissionParams,
        body: RoleInput,
        response: { 201: RoleResponse, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { mission_id } = request.params;
      const role = await addRole(db(), scopeOf(request), mission_id, request.body);
      return reply.code(201).send(role);
    },
  );

  app.patch(
    '/missions/:mission_id/roles/:role_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Change a mission role',
        description: `A quota below the accepted count answers 409 \`conflict\`. ${ARCHIVED}`,
        params: RoleParams,
        body: RolePatch,
        response: { 200: RoleResponse, ...writeErrors },
      },
    },
    async (request) => {
      const { mission_id, role_id } = request.params;
      return updateRole(db(), scopeOf(request), mission_id, role_id, request.body);
    },
  );

  app.delete(
    '/missions/:mission_id/roles/:role_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Remove a role from a mission',
        description: `409 \`in_use\` when it has accepted assignments. ${ARCHIVED}`,
        params: RoleParams,
        response: { 204: Deleted, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { mission_id, role_id } = request.params;
      await deleteRole(db(), scopeOf(request), mission_id, role_id);
      return reply.code(204).send(null);
    },
  );
};
