import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, authOf, scopeOf } from '../../platform/auth/access.js';
import { ProblemResponses, ProblemSchema } from '../../platform/http/schemas.js';
import {
  CreatedFeed,
  FeedStatus,
  FeedTokenParams,
  IcsDocument,
  ProjectFeedParams,
} from './calendar.schemas.js';
import {
  createMyFeed,
  createProjectFeed,
  myFeedStatus,
  projectFeedStatus,
  loadFeed,
  revokeMyFeed,
  revokeProjectFeed,
} from './feeds.service.js';
import { matchesEtag } from './ics.js';
import { AppError } from '../../platform/errors.js';

const tags = ['calendar'];
const errors = { 400: ProblemSchema, 401: ProblemSchema };
const SHOWN_ONCE =
  'The URL is shown once and stored only as a hash; making a new one revokes the previous (rotation).';

/** `/api/v1/me/calendar-feed` (the caller's own feed) and `/api/v1/calendar/{token}.ics` (what calendars poll). */
export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const me = (request: Parameters<typeof authOf>[0]) => ({
    ...actorOf(request),
    accountId: authOf(request).accountId,
  });

  app.get(
    '/me/calendar-feed',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Whether I have a calendar feed',
        response: { 200: FeedStatus, ...errors },
      },
    },
    async (request) => myFeedStatus(db, authOf(request).accountId),
  );

  app.post(
    '/me/calendar-feed',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Make (or rotate) my secret calendar feed URL',
        description:
          'An ICS feed of my INVITED (TENTATIVE) and ACCEPTED (CONFIRMED) assignments in every org linked to my ' +
          'account; declined and cancelled ones stay 30 days as CANCELLED so calendars remove them. ' +
          SHOWN_ONCE,
        response: { 201: CreatedFeed, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createMyFeed(db, me(request), app.config.publicBaseUrl)),
  );

  app.delete(
    '/me/calendar-feed',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Revoke my calendar feed URL',
        description: 'The URL answers 404 at once. Idempotent.',
        response: { 204: { type: 'null', description: 'Revoked' }, ...errors },
      },
    },
    async (request, reply) => {
      await revokeMyFeed(db, me(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/calendar/:token.ics',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A calendar feed (what calendar apps poll)',
        description:
          'The secret token is the only credential. Times are UTC. Answers an `ETag`; `If-None-Match` with it ' +
          'answers 304. An unknown or revoked token, or a project feed whose owner is no longer a manager, ' +
          'answers 404.',
        params: FeedTokenParams,
        response: {
          200: IcsDocument,
          304: { type: 'null', description: 'Not modified' },
          400: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const feed = await loadFeed(db, request.params.token);
      if (!feed) throw new AppError('not_found', 'Calendar feed not found');
      reply.header('etag', feed.etag).header('cache-control', 'private, no-cache');
      if (matchesEtag(request.headers['if-none-match'], feed.etag)) return reply.code(304).send(null);
      return reply.type('text/calendar; charset=utf-8').send(await feed.render());
    },
  );
};

/** `…/orgs/:org_id/projects/:project_id/calendar-feed`: a manager's feed of one project. */
export const projectCalendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const manager = (request: Parameters<typeof scopeOf>[0]) => ({
    ...scopeOf(request),
    accountId: authOf(request).accountId,
  });

  app.get(
    '/projects/:project_id/calendar-feed',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Whether I have a calendar feed of this project',
        params: ProjectFeedParams,
        response: { 200: FeedStatus, ...ProblemResponses },
      },
    },
    async (request) => projectFeedStatus(db, manager(request), request.params.project_id),
  );

  app.post(
    '/projects/:project_id/calendar-feed',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Make (or rotate) my calendar feed of this project',
        description:
          'One event per mission (UTC times), its roles’ staffing (`accepted/quota`) in the description. The ' +
          `URL stops working when its owner is no longer a manager of the org. ${SHOWN_ONCE}`,
        params: ProjectFeedParams,
        response: { 201: CreatedFeed, ...ProblemResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createProjectFeed(db, manager(request), request.params.project_id, app.config.publicBaseUrl),
        ),
  );

  app.delete(
    '/projects/:project_id/calendar-feed',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Revoke my calendar feed of this project',
        description: 'The URL answers 404 at once. Idempotent.',
        params: ProjectFeedParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      await revokeProjectFeed(db, manager(request), request.params.project_id);
      return reply.code(204).send(null);
    },
  );
};
