import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { assignmentEntry } from '../calendar/entries.js';
import { renderIcs } from '../calendar/ics.js';
import { acceptByToken, declineByToken } from '../links/links.service.js';
import { invitationView } from './invitation.view.js';
import { pageLanguage } from './language.js';
import { assertPageForm, formToken, pageContext, renderPage } from './pages.http.js';
import { findLiveInvitation, type LiveInvitation } from './pages.service.js';
import { formField, pageParams, throttlePagePost, withLang, type TokenRequest } from './page-inputs.js';

type Answer = 'accepted' | 'declined';
const REASON_MAX = 500;

/** `/invitations/<token>`: the page behind a signed link, its two answers and its one-mission calendar file. */
export const invitationPages: FastifyPluginAsync = async (app) => {
  const { db } = app.database;
  const config = app.config;

  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: LiveInvitation,
    extra: { notice?: Answer; error?: string },
    status = 200,
  ) => {
    const { timezone, org_language: language } = found.row;
    const page = pageContext(request, pageLanguage(request, { timezone, language }));
    const token = (request.params as { token: string }).token;
    const base = `/invitations/${encodeURIComponent(token)}`;
    return renderPage(
      reply,
      'invitation',
      page,
      {
        ...invitationView(found, page.lang),
        notice: extra.notice ?? null,
        error: extra.error
          ? (page.t.invitation.refusals[extra.error] ?? page.t.invitation.refusals.other)
          : null,
        formToken: formToken(config, base),
        acceptUrl: withLang(`${base}/accept`, request),
        declineUrl: withLang(`${base}/decline`, request),
        icsUrl: `${base}/mission.ics`,
        reasonMax: REASON_MAX,
      },
      status,
    );
  };
  const dead = (request: FastifyRequest, reply: FastifyReply) => {
    const page = pageContext(request, pageLanguage(request, null));
    return renderPage(reply, 'message', page, { title: page.t.dead.title, body: page.t.dead.body }, 404);
  };

  app.get<TokenRequest>('/invitations/:token', pageParams, async (request, reply) => {
    const found = await findLiveInvitation(db, request.params.token);
    if (!found) return dead(request, reply);
    const { answer } = request.query as { answer?: string };
    const notice = answer === 'accepted' || answer === 'declined' ? answer : undefined;
    return show(request, reply, found, notice ? { notice } : {});
  });

  const answer = (action: Answer) => async (request: FastifyRequest<TokenRequest>, reply: FastifyReply) => {
    const { token } = request.params;
    await throttlePagePost(app, request);
    assertPageForm(request, config, `/invitations/${encodeURIComponent(token)}`);
    try {
      if (action === 'accepted') await acceptByToken(db, request.id, token);
      else await declineByToken(db, request.id, token, formField(request, 'reason', REASON_MAX) || null);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const found = await findLiveInvitation(db, token);
      if (!found) return dead(request, reply);
      return show(request, reply, found, { error: error.code }, 409);
    }
    // Post, redirect, get: a reload shows the answer and never posts twice.
    const target = withLang(`/invitations/${encodeURIComponent(token)}?answer=${action}`, request);
    return reply.code(303).header('location', target).send();
  };
  app.post<TokenRequest>('/invitations/:token/accept', pageParams, answer('accepted'));
  app.post<TokenRequest>('/invitations/:token/decline', pageParams, answer('declined'));

  app.get<TokenRequest>('/invitations/:token/mission.ics', pageParams, async (request, reply) => {
    const found = await findLiveInvitation(db, request.params.token);
    if (!found) return dead(request, reply);
    const { row } = found;
    const ics = await renderIcs(row.title, [assignmentEntry(row)]);
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'attachment; filename="mission.ics"')
      .send(ics);
  });
};
