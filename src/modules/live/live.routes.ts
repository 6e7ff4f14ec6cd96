import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf, scopeOf } from '../../platform/auth/access.js';
import { issueStreamTicket } from '../../platform/auth/stream-tickets.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import { EventStreamResponse, StreamQuery, StreamTicketView } from './live.schemas.js';
import { accountViewer, openStream, orgViewer, resumeIdOf } from './live.service.js';

const tags = ['events'];
const TICKET_HELP =
  'EventSource cannot send an Authorization header: ask for a ticket with the bearer, then open ' +
  '`…/events?ticket=…` within 60 s. A ticket opens one stream once; the logs redact it.';
const STREAM_HELP =
  'Server-Sent Events, in commit order. Authenticate with the bearer, or `?ticket=` from the ticket route. ' +
  '`Last-Event-ID` (or `last_event_id`) resumes after that id from the event log (30 days); beyond it the ' +
  'stream starts with `event: reset`. See docs/events.md for every type, its payload and who receives it.';

/** `…/orgs/:org_id/events`: the org's live events, as the caller's role may see them. */
export const liveOrgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/events/ticket',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Get a single-use ticket to open the org’s event stream',
        description: TICKET_HELP,
        params: OrgParams,
        response: { 201: StreamTicketView, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const scope = scopeOf(request);
      const ticket = await issueStreamTicket(app.database.db, { ...auth, orgId: scope.orgId });
      const url = `/api/v1/orgs/${scope.orgId}/events?ticket=${ticket.ticket}`;
      return reply.code(201).send({ ...ticket, url });
    },
  );

  app.get(
    '/events',
    {
      config: { access: 'tech', streamTicket: true },
      schema: {
        tags,
        summary: 'Stream the org’s events (Server-Sent Events)',
        description: STREAM_HELP,
        params: OrgParams,
        querystring: StreamQuery,
        response: { 200: EventStreamResponse, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const resumeFrom = resumeIdOf(request);
      const viewer = await orgViewer(app.database.db, scopeOf(request));
      await openStream(app, app.liveEvents, request, reply, viewer, resumeFrom);
    },
  );
};

/** `/me/events`: what concerns the caller's crew profiles, across every org. */
export const liveMeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/me/events/ticket',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Get a single-use ticket to open my event stream',
        description: TICKET_HELP,
        response: { 201: StreamTicketView, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const ticket = await issueStreamTicket(app.database.db, { ...auth, orgId: auth.orgId });
      return reply.code(201).send({ ...ticket, url: `/api/v1/me/events?ticket=${ticket.ticket}` });
    },
  );

  app.get(
    '/me/events',
    {
      config: { access: 'account', streamTicket: true },
      schema: {
        tags,
        summary: 'Stream the events about my work, across orgs (Server-Sent Events)',
        description: STREAM_HELP,
        querystring: StreamQuery,
        response: { 200: EventStreamResponse, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const resumeFrom = resumeIdOf(request);
      const viewer = await accountViewer(app.database.db, authOf(request));
      await openStream(app, app.liveEvents, request, reply, viewer, resumeFrom);
    },
  );
};
