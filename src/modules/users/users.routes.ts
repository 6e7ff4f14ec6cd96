import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  CreateUserBody,
  ListUsersQuery,
  OrgParams,
  UpdateUserBody,
  User,
  UserPage,
  UserParams,
} from './users.schemas.js';
import { createUser, deleteUser, getUser, listUsers, updateUser } from './users.service.js';

const tags = ['users'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema };

/** The crew roster: the people an org plans (`users`), with their skills and tags. */
export const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add a person to the crew roster',
        description:
          'Skill names and tags are trimmed and stored lower-case; the same skill twice is a 400, tags are ' +
          'deduplicated. `account_id` must be a member of the org (400) and not already linked to another ' +
          'user of the org (409 `already_exists`).',
        params: OrgParams,
        body: CreateUserBody,
        response: { 201: User, ...errors, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const user = await createUser(db, scopeOf(request), request.body);
      return reply.code(201).send(user);
    },
  );

  app.get(
    '/users',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'List and search the crew roster',
        description:
          'Ordered by last name, first name, id. `q` matches the first name, the last name or "first last", ' +
          'case-insensitively; `min_level` applies with `skill` only.',
        params: OrgParams,
        querystring: ListUsersQuery,
        response: { 200: UserPage, ...errors },
      },
    },
    async (request) => listUsers(db, scopeOf(request), request.query),
  );

  app.get(
    '/users/:user_id',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Read one person of the roster',
        description:
          'A tech reads only the user linked to their own account; any other answers 404. Managers and above ' +
          'read anyone.',
        params: UserParams,
        response: { 200: User, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => getUser(db, scopeOf(request), request.params.user_id),
  );

  app.patch(
    '/users/:user_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a person of the roster',
        description:
          'Partial update: only the fields given change, `null` clears an optional field. `skills` and `tags`, ' +
          'when given, replace the whole set.',
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: User, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => updateUser(db, scopeOf(request), request.params.user_id, request.body),
  );

  app.delete(
    '/users/:user_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Remove a person from the roster',
        description:
          'Also removes their skills, tags, availability and assignments. A user with accepted assignments on ' +
          'missions that have not ended yet answers 409 `in_use`: deactivate them instead (`active: false`).',
        params: UserParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...errors,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      await deleteUser(db, scopeOf(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );
};
