import { Type } from '@fastify/type-provider-typebox';
import { Timestamp, Uuid } from '../../platform/http/schemas.js';

export const FeedStatus = Type.Object(
  {
    active: Type.Boolean({ description: 'Whether a live feed URL exists' }),
    created_at: Type.Union([Timestamp, Type.Null()], { description: 'When the live URL was made' }),
  },
  { additionalProperties: false },
);

export const CreatedFeed = Type.Object(
  {
    url: Type.String({
      description: 'The secret feed URL, shown this once: subscribe to it in a calendar app',
      examples: ['https://crew.example.com/api/v1/calendar/Xk3….ics'],
    }),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

export const ProjectFeedParams = Type.Object({ org_id: Uuid, project_id: Uuid });

export const FeedTokenParams = Type.Object({
  token: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
});

export const IcsDocument = Type.String({ description: 'An iCalendar (RFC 5545) document, `text/calendar`' });
