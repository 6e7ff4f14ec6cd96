import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  CreateProjectBody,
  OrgParams,
  Project,
  ProjectList,
  ProjectListQuery,
  ProjectParams,
  UpdateProjectBody,
} from './projects.schemas.js';
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects.service.js';

const tags = ['projects'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema };

export const projectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = () => app.database.db;

  app.post(
    '/projects',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Create a project',
        description:
          'Names are unique in the org (409 `name_taken`). `ends_at` must not be before `starts_at`.',
        params: OrgParams,
        body: CreateProjectBody,
        response: { 201: Project, ...errors, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const project = await createProject(db(), scopeOf(request), request.body);
      return reply.code(201).send(project);
    },
  );

  app.get(
    '/projects',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'List the org’s projects',
        description:
          'Filters: `status`, `q` (case-insensitive substring of the name). Ordered by `sort` (name or ' +
          'created_at) then id; keyset pagination with `limit` and `cursor`.',
        params: OrgParams,
        querystring: ProjectListQuery,
        response: { 200: ProjectList, ...errors },
      },
    },
    async (request) => listProjects(db(), scopeOf(request), request.query),
  );

  app.get(
    '/projects/:project_id',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Get a project',
        params: ProjectParams,
        response: { 200: Project, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => getProject(db(), scopeOf(request), request.params.project_id),
  );

  app.patch(
    '/projects/:project_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Change a project (fields, status)',
        description:
          'Status moves forward only: DRAFT → ACTIVE → ARCHIVED, or DRAFT → ARCHIVED (409 `invalid_transition` ' +
          'otherwise). An ARCHIVED project is read-only (409 `project_archived`) until an admin or owner sets ' +
          'its status back to ACTIVE (a manager gets 403); that request may change other fields too. Fields set ' +
          'to null are cleared.',
        params: ProjectParams,
        body: UpdateProjectBody,
        response: { 200: Project, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => updateProject(db(), scopeOf(request), request.params.project_id, request.body),
  );

  app.delete(
    '/projects/:project_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Delete a project with its missions',
        description:
          'Deletes the project, its missions, roles and assignments. 409 `in_use` when any of its missions has ' +
          'accepted assignments; 409 `project_archived` when the project is archived.',
        params: ProjectParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...errors,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      await deleteProject(db(), scopeOf(request), request.params.project_id);
      return reply.code(204).send(null);
    },
  );
};
