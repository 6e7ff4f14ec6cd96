import { Type } from '@fastify/type-provider-typebox';
import { NOTIFICATION_KINDS, NOTIFICATION_STATES } from '../../platform/db/tables.js';
import { LANGUAGES } from '../../platform/human-time.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

export const NotificationParams = Type.Object({ org_id: Uuid, notification_id: Uuid });

export const NotificationsQuery = Type.Object(
  {
    state: Type.Optional(
      StringEnum(NOTIFICATION_STATES, { description: 'Only notifications in this state' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const Notification = Type.Object({
  id: Uuid,
  kind: StringEnum(NOTIFICATION_KINDS),
  state: StringEnum(NOTIFICATION_STATES, {
    description:
      '`queued` waits for its time (an invitation waits for its coalescing window, a reminder for its lead ' +
      'time); `failed` will be retried at `next_attempt_at`; `dead` gave up after the last retry.',
  }),
  recipient: Type.String({ description: 'The email address the message goes to' }),
  user_id: Type.Union([Uuid, Type.Null()]),
  account_id: Type.Union([Uuid, Type.Null()]),
  assignment_id: Type.Union([Uuid, Type.Null()]),
  event_id: Type.Union([Type.Integer(), Type.Null()]),
  message_id: Type.String({ description: 'The Message-ID header: the same on every attempt' }),
  attempts: Type.Integer(),
  next_attempt_at: Timestamp,
  last_error: Type.Union([Type.String(), Type.Null()]),
  sent_at: Type.Union([Timestamp, Type.Null()]),
  created_at: Timestamp,
});

export const NotificationPage = Page(Notification);

const Switch = (description: string) => Type.Boolean({ description });

export const NotificationSettings = Type.Object({
  language: StringEnum(LANGUAGES, { description: 'The language of the crew’s mails' }),
  language_is_default: Type.Boolean({
    description: 'true while the org has not chosen: French for a time zone in France, else English',
  }),
  invitation: Switch('The invitee is told of an invitation, with the signed link'),
  assignment_changed: Switch('Holders (invited or accepted) are told what changed on their mission'),
  assignment_cancelled: Switch('The person is told their assignment was cancelled or its mission deleted'),
  assignment_response: Switch('The inviting manager is told of an accept or a decline'),
  reminder: Switch('A reminder before each accepted assignment'),
  dpae_reminder: Switch(
    'Managers are reminded of ACCEPTED assignments entering the DPAE delay (pay settings) with no DPAE recorded',
  ),
  reminder_lead_minutes: Type.Integer({ description: 'How long before the start a reminder goes out' }),
  coalesce_seconds: Type.Integer({
    description: 'Invitations to one person within this window go out as one message',
  }),
});

export const UpdateNotificationSettingsBody = Type.Object(
  {
    language: Type.Optional(
      Type.Union([StringEnum(LANGUAGES), Type.Null()], { description: 'null goes back to the default' }),
    ),
    invitation: Type.Optional(Type.Boolean()),
    assignment_changed: Type.Optional(Type.Boolean()),
    assignment_cancelled: Type.Optional(Type.Boolean()),
    assignment_response: Type.Optional(Type.Boolean()),
    reminder: Type.Optional(Type.Boolean()),
    dpae_reminder: Type.Optional(Type.Boolean()),
    reminder_lead_minutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 20160 })),
    coalesce_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ language: 'en', reminder: true, reminder_lead_minutes: 720, assignment_response: false }],
  },
);
