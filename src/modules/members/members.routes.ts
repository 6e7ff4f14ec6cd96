import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, optionalAuth, scopeOf } from '../../platform/auth/access.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import { Page, ProblemResponses } from '../../platform/http/schemas.js';
import {
  AcceptBody,
  AcceptParams,
  AcceptResponse,
  ChangeRoleBody,
  InviteBody,
  InviteResponse,
  Member,
  MemberParams,
  MembersQuery,
} from './members.schemas.js';
import { OrgParams } from '../orgs/orgs.schemas.js';
import {
  acceptOrgInvitation,
  changeMemberRole,
  sendOrgInvitation,
  listMembers,
  removeMember,
} from './members.service.js';

const tags = ['members'];
const errors = ProblemResponses;

/** `…/orgs/:org_id/members`: who belongs to the org, with which role. */
export const membersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/members',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'List the org’s members',
        params: OrgParams,
        querystring: MembersQuery,
        response: { 200: Page(Member), ...errors },
      },
    },
    async (request) =>
      listMembers(db, scopeOf(request), {
        limit: request.query.limit ?? DEFAULT_LIMIT,
        cursor: request.query.cursor,
      }),
  );

  app.post(
    '/members',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Invite someone by email',
        description:
          'Sends a single-use invitation link valid 7 days (by email, or to the outbox without SMTP). Only an owner ' +
          'invites owners and admins. A new invitation to the same email supersedes the pending one.',
        params: OrgParams,
        body: InviteBody,
        response: { 201: InviteResponse, ...errors },
      },
    },
    async (request, reply) => {
      // The link leaves with the notification dispatcher, never from this request.
      const { invitation, token } = await sendOrgInvitation(
        { db, config: app.config },
        scopeOf(request),
        request.body,
      );
      const body = { invitation_id: invitation.id, expires_at: invitation.expires_at };
      return reply.code(201).send(app.config.appEnv === 'dev' ? { ...body, token } : body);
    },
  );

  app.patch(
    '/members/:account_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a member’s role',
        description:
          'Only an owner grants or removes owner and admin. The last owner cannot be demoted (409 `last_owner`).',
        params: MemberParams,
        body: ChangeRoleBody,
        response: { 200: Member, ...errors },
      },
    },
    async (request) => {
      const { account_id } = request.params;
      const {
        account_id: id,
        email,
        role,
        joined_at,
      } = await changeMemberRole(db, scopeOf(request), account_id, request.body.role);
      return { account_id: id, email, role, joined_at };
    },
  );

  app.delete(
    '/members/:account_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Remove a member from the org',
        description:
          'Only an owner removes owners and admins. The last owner cannot be removed (409 `last_owner`).',
        params: MemberParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...errors },
      },
    },
    async (request, reply) => {
      await removeMember(db, scopeOf(request), request.params.account_id);
      return reply.code(204).send(null);
    },
  );
};

/** `POST /api/v1/org-invitations/:token/accept`: public, so the invited can create their account. */
export const orgInvitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/org-invitations/:token/accept',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Accept an org invitation',
        description:
          'With a bearer token, the logged-in account (which must own the invited email) joins. Without one, ' +
          '`password` creates the account for the invited email. A used or expired token answers 400.',
        security: [{ bearerAuth: [] }, {}],
        params: AcceptParams,
        body: AcceptBody,
        response: { 200: AcceptResponse, ...errors },
      },
    },
    async (request) => {
      const auth = await optionalAuth(request);
      return acceptOrgInvitation(app.database.db, actorOf(request), request.params.token, {
        accountId: auth?.accountId ?? null,
        password: request.body?.password,
      });
    },
  );
};
