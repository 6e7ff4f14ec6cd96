import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { defaultEmptyBody, ProblemSchema, ProblemResponses } from '../../platform/http/schemas.js';
import { DeclineBody, LinkParams, LinkResponse, PublicLinkView, TokenParams } from './links.schemas.js';
import { acceptByToken, createLink, declineByToken, revokeLinks, viewByToken } from './links.service.js';

const tags = ['invitations'];
const errors = ProblemResponses;
const publicErrors = { 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const DEAD_TOKEN = 'An unknown, expired or revoked token answers 404, the same for all.';

/** `…/orgs/:org_id/assignments/:assignment_id/link`: managers make and revoke signed links. */
export const assignmentLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    '/assignments/:assignment_id/link',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Make a signed link for crew without an account',
        description:
          'For an INVITED or ACCEPTED assignment (else 409 `invalid_transition`) whose mission has not started ' +
          '(else 409 `conflict`). The link expires after 7 days or at the mission start, whichever comes first, ' +
          'and replaces the assignment’s previous live link. `url` is `PUBLIC_BASE_URL/invitations/<token>`: ' +
          'the web app serves that page and calls `GET /api/v1/invitations/{token}`. The token is shown once ' +
          '(`token` itself only with APP_ENV=dev) and stored hashed.',
        params: LinkParams,
        response: { 201: LinkResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { url, expires_at, token } = await createLink(
        { db, publicBaseUrl: app.config.publicBaseUrl },
        scopeOf(request),
        request.params.assignment_id,
      );
      return reply
        .code(201)
        .send(app.config.appEnv === 'dev' ? { url, expires_at, token } : { url, expires_at });
    },
  );

  app.delete(
    '/assignments/:assignment_id/link',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Revoke the signed links of an assignment',
        description: 'Every live link of the assignment stops working at once (404). Idempotent.',
        params: LinkParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...errors },
      },
    },
    async (request, reply) => {
      await revokeLinks(db, scopeOf(request), request.params.assignment_id);
      return reply.code(204).send(null);
    },
  );
};

/** `/api/v1/invitations/:token`: what the holder of a signed link sees and answers, with no login. */
export const linkHolderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/invitations/:token',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'What a signed link invites to',
        description: `The org’s name, the mission, the role and the assignment’s status. ${DEAD_TOKEN}`,
        params: TokenParams,
        response: { 200: PublicLinkView, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => viewByToken(db, request.params.token),
  );

  app.post(
    '/invitations/:token/accept',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Accept through a signed link',
        description:
          'The same rules as in the app: INVITED → ACCEPTED; a blocking rule answers 409 `conflict` with ' +
          '`reasons`, a full role 409 `role_full`, any other status 409 `invalid_transition`. Accepting again ' +
          `answers the same view and changes nothing. ${DEAD_TOKEN}`,
        params: TokenParams,
        response: { 200: PublicLinkView, ...publicErrors },
      },
    },
    async (request) => acceptByToken(db, request.id, request.params.token),
  );

  app.post(
    '/invitations/:token/decline',
    {
      config: { access: 'public' },
      preValidation: defaultEmptyBody,
      schema: {
        tags,
        summary: 'Decline through a signed link',
        description:
          'INVITED → DECLINED; any other status 409 `invalid_transition`. Declining again answers the same view ' +
          `and changes nothing. ${DEAD_TOKEN}`,
        params: TokenParams,
        body: DeclineBody,
        response: { 200: PublicLinkView, ...publicErrors },
      },
    },
    async (request) => declineByToken(db, request.id, request.params.token, request.body?.reason ?? null),
  );
};
