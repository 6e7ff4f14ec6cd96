import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, authOf, scopeOf } from '../../platform/auth/access.js';
import { Page, ProblemSchema } from '../../platform/http/schemas.js';
import { CreateOrgBody, MyOrg, Org, OrgParams, UpdateOrgBody } from './orgs.schemas.js';
import { createOrg, getOrg, updateOrg } from './orgs.service.js';
import { listMyOrgs } from './orgs.repository.js';

const tags = ['orgs'];

/** Account-level org routes: create an org, list mine. */
export const orgsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    '/orgs',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Create an org; the caller becomes its owner',
        description: 'Switch to it with `POST /api/v1/auth/switch-org` to act in it.',
        body: CreateOrgBody,
        response: { 201: Org, 400: ProblemSchema, 401: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { org } = await createOrg(db, actorOf(request), request.body, authOf(request).accountId);
      return reply.code(201).send({ ...org, role: 'owner' as const });
    },
  );

  app.get(
    '/me/orgs',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'The orgs the caller belongs to, with their role (oldest membership first)',
        response: { 200: Page(MyOrg), 401: ProblemSchema },
      },
    },
    async (request) => ({ items: await listMyOrgs(db, authOf(request).accountId), next_cursor: null }),
  );
};

/** The org itself, under the org scope: `GET|PATCH /api/v1/orgs/:org_id`. */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Read the org',
        params: OrgParams,
        response: { 200: Org, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      return { ...(await getOrg(db, scope)), role: scope.role };
    },
  );

  app.patch(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rename the org or change its time zone',
        params: OrgParams,
        body: UpdateOrgBody,
        response: { 200: Org, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      return { ...(await updateOrg(db, scope, request.body)), role: scope.role };
    },
  );
};
