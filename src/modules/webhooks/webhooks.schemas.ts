import { Type } from '@fastify/type-provider-typebox';
import { EVENT_TYPES } from '../../platform/events.js';
import { WEBHOOK_DELIVERY_STATES } from '../../platform/db/tables.js';
import { StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

/** Account events (password resets) have no org: they never go to a webhook. */
const ORG_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== 'password_reset.requested');
const EventTypes = Type.Array(StringEnum(['*', ...ORG_EVENT_TYPES]), {
  minItems: 1,
  maxItems: 32,
  uniqueItems: true,
  description: 'The event types to deliver (docs/events.md); `*` for all',
});
const Url = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://',
  description: 'http(s) URL of the receiver; private, loopback and link-local targets are refused',
});

export const WebhookParams = Type.Object({ org_id: Uuid, webhook_id: Uuid });
export const DeliveryParams = Type.Object({ org_id: Uuid, webhook_id: Uuid, delivery_id: Uuid });

export const CreateWebhookBody = Type.Object(
  { url: Url, event_types: EventTypes, enabled: Type.Optional(Type.Boolean()) },
  {
    additionalProperties: false,
    examples: [
      { url: 'https://hooks.example.com/crew', event_types: ['assignment.accepted', 'mission.changed'] },
    ],
  },
);

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), event_types: Type.Optional(EventTypes), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1, examples: [{ enabled: true }] },
);

export const Webhook = Type.Object({
  id: Uuid,
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabled_reason: Type.Union([Type.String({ description: '`failing` after a dead delivery' }), Type.Null()]),
  consecutive_failures: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CreatedWebhook = Type.Intersect([
  Webhook,
  Type.Object({
    secret: Type.String({ description: 'Standard Webhooks signing secret (`whsec_…`): shown this once' }),
  }),
]);

export const WebhookList = Type.Object({ items: Type.Array(Webhook) });

export const Delivery = Type.Object({
  id: Uuid,
  event_id: Type.Integer(),
  event_type: Type.String(),
  state: StringEnum(WEBHOOK_DELIVERY_STATES),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([Timestamp, Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_latency_ms: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const DeliveryList = Type.Object({ items: Type.Array(Delivery) });
