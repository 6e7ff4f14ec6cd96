import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { trustedOrgId } from '../../platform/auth/org-scope.js';
import { Type } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../platform/audit.js';
import { isDerivedToken } from '../../platform/auth/derived-tokens.js';
import { isoNow } from '../../platform/clock.js';
import { defaultLanguage, type Language } from '../../platform/human-time.js';
import { PAGE_HEADERS, STYLESHEET_PATH } from '../pages/pages.http.js';
import { findOrgZone, findSettingsRow, insertOptOut } from './settings.repository.js';
import { userContact } from './facts.repository.js';
import { renderUnsubscribePage } from './templates.js';
import { TEXTS } from './texts.js';

const Params = Type.Object({
  user_id: Type.String({ maxLength: 64 }),
  token: Type.String({ maxLength: 128 }),
});

/**
 * `GET|POST /notifications/unsubscribe/:user_id/:token`: the page behind the link of every reminder. GET asks
 * (a link scanner that opens it changes nothing); POST switches reminders off, as the form does and as mail
 * clients do for RFC 8058 one-click (`List-Unsubscribe=One-Click`). Changes to accepted work still arrive.
 */
export const unsubscribeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const { config } = app;

  async function target(userId: string, token: string) {
    if (!/^[0-9a-f-]{36}$/i.test(userId) || !isDerivedToken(config.secretKey, 'unsubscribe', userId, token))
      return null;
    const user = await userContact(db, userId);
    if (!user) return null;
    const orgId = trustedOrgId(user.org_id); // from the roster row the signed link names
    const row = await findSettingsRow(db, orgId);
    const org = await findOrgZone(db, orgId);
    const lang: Language = row?.language ?? defaultLanguage(org?.timezone ?? 'UTC');
    return { user, orgId, lang };
  }

  const page = (lang: Language, state: 'ask' | 'done' | 'invalid', action: string) => {
    const t = TEXTS[lang].unsubscribePage;
    return renderUnsubscribePage({
      lang,
      title: t.title,
      question: t.question,
      confirm: t.confirm,
      message: state === 'done' ? t.done : t.invalid,
      state,
      action,
      stylesheet: STYLESHEET_PATH,
    });
  };

  const schema = { hide: true, params: Params };

  app.get('/notifications/unsubscribe/:user_id/:token', { schema }, async (request, reply) => {
    const found = await target(request.params.user_id, request.params.token);
    reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8');
    if (!found) return reply.code(404).send(page('en', 'invalid', ''));
    return page(found.lang, 'ask', request.url);
  });

  // The one-click body is form-encoded; nothing in it matters beyond the token in the path.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, body, done) => done(null, body),
    );
  }
  app.post('/notifications/unsubscribe/:user_id/:token', { schema }, async (request, reply) => {
    const found = await target(request.params.user_id, request.params.token);
    reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8');
    if (!found) return reply.code(404).send(page('en', 'invalid', ''));
    await db.transaction().execute(async (tx) => {
      const now = isoNow();
      const added = await insertOptOut(tx, {
        org_id: found.orgId,
        user_id: found.user.id,
        kind: 'reminder',
        created_at: now,
      });
      if (added) {
        await recordAudit(
          tx,
          { accountId: null, requestId: request.id },
          {
            orgId: found.orgId,
            action: 'notification.opt_out',
            entityType: 'user',
            entityId: found.user.id,
            after: { kind: 'reminder' },
          },
        );
      }
    });
    return page(found.lang, 'done', '');
  });
};
