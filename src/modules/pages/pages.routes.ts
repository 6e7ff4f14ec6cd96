import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { accountPages } from './account-pages.routes.js';
import { invitationPages } from './invitation-pages.routes.js';
import { pageLanguage } from './language.js';
import {
  icon,
  ICON_PATH,
  PAGE_HEADERS,
  pageContext,
  renderPage,
  STYLESHEET_PATH,
  stylesheet,
} from './pages.http.js';

const FORM_BYTES = 16 * 1024;

/**
 * The crew's pages, at the server root (PUBLIC_BASE_URL): public by design, outside `/api`, so the access hook
 * does not see them; each one checks its own secret token. Errors here are pages, never JSON.
 */
export const pagesRoutes: FastifyPluginAsync = async (app) => {
  // Plain HTML forms post urlencoded bodies; only these routes accept them.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BYTES },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // After the app-wide headers, so these win (CSP, no-store, same-origin referrer).
  app.addHook('onSend', async (_request, reply) => {
    const cached = reply.getHeader('cache-control');
    reply.headers(PAGE_HEADERS);
    if (cached) reply.header('cache-control', cached);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const page = pageContext(request, pageLanguage(request, null));
    const { t } = page;
    const show = (status: number, body: string, title = t.app) =>
      renderPage(reply, 'message', page, { title, body }, status);
    if (error instanceof AppError) {
      reply.headers(error.headers);
      if (error.code === 'rate_limited') return show(429, t.errors.rateLimited);
      if (error.code === 'cross_site_request') return show(403, t.errors.crossSite);
      if (error.code === 'not_found' || error.code === 'invalid_token')
        return show(404, t.dead.body, t.dead.title);
      return show(error.status, t.errors.generic);
    }
    // A token of the wrong shape is a dead link like any other.
    if ('validation' in error && error.validation) return show(404, t.dead.body, t.dead.title);
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error on a page');
    return show(status >= 400 && status < 600 ? status : 500, t.errors.generic);
  });

  app.get(STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  app.get(ICON_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon),
  );
  await app.register(invitationPages);
  await app.register(accountPages);
};
