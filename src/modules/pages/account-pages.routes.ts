import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/auth/access.js';
import { AppError } from '../../platform/errors.js';
import { pageLanguage } from './language.js';
import { assertPageForm, formToken, pageContext, renderPage, type PageContext } from './pages.http.js';
import { findPendingJoin, isResetLinkLive, joinFromPage, resetFromPage } from './pages.service.js';
import { passwordField, queryToken, throttlePagePost } from './page-inputs.js';

const hidden = { schema: { hide: true } } as const;

/** What a refused form says to a person, from the service's error code. */
function formError(page: PageContext, error: unknown): string {
  if (!(error instanceof AppError)) throw error;
  if (error.code === 'invalid_credentials') return page.t.errors.wrongPassword;
  if (error.code === 'validation_failed') return `${page.t.errors.refused} ${page.t.join.passwordHint}`;
  throw error;
}

/** `/join?token=…` (an org invitation) and `/reset-password?token=…`: set a password, or log in, and go. */
export const accountPages: FastifyPluginAsync = async (app) => {
  const { db } = app.database;
  const config = app.config;
  const deps = { db, config, tokens: app.tokens, limiter: app.limiter };
  const message = (reply: FastifyReply, page: PageContext, title: string, body: string, status = 200) =>
    renderPage(reply, 'message', page, { title, body }, status);

  const joinPage = async (request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) => {
    const token = queryToken(request);
    const join = token ? await findPendingJoin(db, token) : null;
    if (!token || !join) {
      const page = pageContext(request, pageLanguage(request, null));
      return message(reply, page, page.t.dead.title, page.t.join.deadBody, 404);
    }
    const page = pageContext(request, pageLanguage(request, join));
    return renderPage(
      reply,
      'join',
      page,
      { ...join, error: error ?? null, formToken: formToken(config, `join:${token}`), action: page.path },
      status,
    );
  };
  app.get('/join', hidden, (request, reply) => joinPage(request, reply));
  app.post('/join', hidden, async (request, reply) => {
    const token = queryToken(request);
    if (!token) return joinPage(request, reply);
    await throttlePagePost(app, request);
    assertPageForm(request, config, `join:${token}`);
    const join = await findPendingJoin(db, token);
    if (!join) return joinPage(request, reply);
    const page = pageContext(request, pageLanguage(request, join));
    const password = passwordField(request, 'password');
    if (!join.hasAccount && password !== passwordField(request, 'password_confirm')) {
      return joinPage(request, reply, page.t.errors.mismatch, 400);
    }
    try {
      await joinFromPage(deps, actorOf(request), request.ip, token, password);
    } catch (error) {
      const status = error instanceof AppError ? error.status : 500;
      return joinPage(request, reply, formError(page, error), status);
    }
    return message(reply, page, page.t.join.title(join.orgName), page.t.join.done(join.orgName));
  });

  const resetPage = async (request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) => {
    const page = pageContext(request, pageLanguage(request, null));
    const token = queryToken(request);
    if (!token || !(await isResetLinkLive(db, token))) {
      return message(reply, page, page.t.dead.title, page.t.reset.deadBody, 404);
    }
    return renderPage(
      reply,
      'reset',
      page,
      { error: error ?? null, formToken: formToken(config, `reset:${token}`), action: page.path },
      status,
    );
  };
  app.get('/reset-password', hidden, (request, reply) => resetPage(request, reply));
  app.post('/reset-password', hidden, async (request, reply) => {
    const token = queryToken(request);
    if (!token) return resetPage(request, reply);
    await throttlePagePost(app, request);
    assertPageForm(request, config, `reset:${token}`);
    const page = pageContext(request, pageLanguage(request, null));
    const password = passwordField(request, 'password');
    if (password !== passwordField(request, 'password_confirm')) {
      return resetPage(request, reply, page.t.errors.mismatch, 400);
    }
    try {
      await resetFromPage(deps, actorOf(request), token, password);
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_token') return resetPage(request, reply);
      return resetPage(request, reply, formError(page, error), 400);
    }
    return message(reply, page, page.t.reset.title, page.t.reset.done);
  });
};
