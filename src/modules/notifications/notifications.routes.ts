import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { notFound } from '../../platform/errors.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import {
  Notification,
  NotificationPage,
  NotificationParams,
  NotificationSettings,
  NotificationsQuery,
  UpdateNotificationSettingsBody,
} from './notifications.schemas.js';
import { listNotifications, retryNotification } from './notifications.service.js';
import { settingsOf, toSettingsView, updateSettings } from './settings.service.js';

const tags = ['notifications'];

/** What the org's crew and managers are sent, and how: the admin's view of the notification queue. */
export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/notifications',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'List the org’s notifications with their delivery state',
        description:
          'Newest first, paginated with `limit` and `cursor`; `state` filters (queued, sent, failed, dead). ' +
          'Messages are sent by the dispatcher, never inside a request; a dead one can be retried.',
        params: OrgParams,
        querystring: NotificationsQuery,
        response: { 200: NotificationPage, ...ProblemResponses },
      },
    },
    async (request) => {
      const { limit = 50, state, cursor } = request.query;
      return listNotifications(db, scopeOf(request), {
        limit,
        ...(state ? { state } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.post(
    '/notifications/:notification_id/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Queue a dead notification again',
        description: 'Only a `dead` notification can be retried (409 otherwise); its attempts start again.',
        params: NotificationParams,
        response: { 200: Notification, ...ProblemResponses },
      },
    },
    async (request) => retryNotification(db, scopeOf(request), request.params.notification_id),
  );

  app.get(
    '/notification-settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Read the org’s notification settings',
        params: OrgParams,
        response: { 200: NotificationSettings, ...ProblemResponses },
      },
    },
    async (request) => {
      const settings = await settingsOf(db, scopeOf(request).orgId);
      if (!settings) throw notFound('Org');
      return toSettingsView(settings);
    },
  );

  app.patch(
    '/notification-settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change the org’s notification settings',
        description:
          'Language of the crew’s mails, each kind on or off, the reminder lead time and the invitation ' +
          'coalescing window. Org invitations and password resets always go out. Audited.',
        params: OrgParams,
        body: UpdateNotificationSettingsBody,
        response: { 200: NotificationSettings, ...ProblemResponses },
      },
    },
    async (request) => updateSettings(db, scopeOf(request), request.body),
  );
};
