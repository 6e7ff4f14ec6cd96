import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import {
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  DeliveryList,
  DeliveryParams,
  UpdateWebhookBody,
  Webhook,
  WebhookList,
  WebhookParams,
} from './webhooks.schemas.js';
import {
  createWebhook,
  listWebhooks,
  redeliver,
  removeWebhook,
  updateWebhook,
  webhookDeliveries,
} from './webhooks.service.js';

const tags = ['webhooks'];
const access = 'admin' as const;

/** `…/orgs/:org_id/webhooks`: admins' signed HTTP callbacks for the org's events (docs/events.md, "Webhooks"). */
export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const { secretKey, webhookAllowPrivate: allowPrivate } = app.config;

  app.post(
    '/webhooks',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Add a webhook endpoint',
        description:
          'Deliveries follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The ' +
          'signing secret is in this response only. Private, loopback and link-local targets are refused.',
        params: OrgParams,
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...ProblemResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createWebhook(db, { secretKey, allowPrivate }, scopeOf(request), request.body)),
  );

  app.get(
    '/webhooks',
    {
      config: { access },
      schema: {
        tags,
        summary: 'List the org’s webhook endpoints',
        params: OrgParams,
        response: { 200: WebhookList, ...ProblemResponses },
      },
    },
    async (request) => listWebhooks(db, scopeOf(request)),
  );

  app.patch(
    '/webhooks/:webhook_id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Change a webhook endpoint (URL, event types, enabled)',
        description:
          'Enabling an endpoint again clears its failure count; its queued deliveries then go out.',
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: Webhook, ...ProblemResponses },
      },
    },
    async (request) =>
      updateWebhook(db, allowPrivate, scopeOf(request), request.params.webhook_id, request.body),
  );

  app.delete(
    '/webhooks/:webhook_id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Remove a webhook endpoint and its delivery log',
        params: WebhookParams,
        response: { 204: Type.Null(), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      await removeWebhook(db, scopeOf(request), request.params.webhook_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:webhook_id/deliveries',
    {
      config: { access },
      schema: {
        tags,
        summary: 'The endpoint’s delivery log',
        description:
          'Newest event first (up to `limit`, 50): state, attempts, last status, latency and error.',
        params: WebhookParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: { 200: DeliveryList, ...ProblemResponses },
      },
    },
    async (request) =>
      webhookDeliveries(db, scopeOf(request), request.params.webhook_id, request.query.limit ?? 50),
  );

  app.post(
    '/webhooks/:webhook_id/deliveries/:delivery_id/redeliver',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Deliver an event again',
        description: 'Queues the delivery now with a fresh retry schedule; the same `webhook-id` is sent.',
        params: DeliveryParams,
        response: { 202: Delivery, ...ProblemResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await redeliver(db, scopeOf(request), request.params.webhook_id, request.params.delivery_id)),
  );
};
