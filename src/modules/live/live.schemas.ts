import { Type } from '@fastify/type-provider-typebox';
import { Timestamp } from '../../platform/http/schemas.js';

export const StreamTicketView = Type.Object(
  {
    ticket: Type.String({ description: 'Single use, valid 60 s, only for opening the event stream' }),
    expires_at: Timestamp,
    url: Type.String({ description: 'The stream URL with the ticket, for `new EventSource(url)`' }),
  },
  { $id: 'StreamTicket' },
);

export const StreamQuery = Type.Object({
  ticket: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'From `POST …/events/ticket`' }),
  ),
  last_event_id: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,15}$',
      description: 'Resume after this event id (as the `Last-Event-ID` header; the header wins)',
    }),
  ),
});

/** Documented as text/event-stream: the handler writes the stream itself (the serializer is never used). */
export const EventStreamResponse = {
  description:
    'A Server-Sent-Events stream: `id`, `event` (the type) and `data` (JSON: id, type, org_id, entity_type, ' +
    'entity_id, payload, created_at) per event; `: heartbeat` comments; `event: reset` when the requested ' +
    'resume point is outside the retention (re-fetch, then continue).',
  content: {
    'text/event-stream': {
      schema: Type.String({ examples: ['id: 42\nevent: assignment.accepted\ndata: {…}\n\n'] }),
    },
  },
};
