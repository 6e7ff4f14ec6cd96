import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import type { Language } from '../../platform/human-time.js';
import { assertSameSite } from '../auth/refresh-cookie.js';
import { TEXTS, type Texts } from './texts.js';

/** `templates/pages/` at the repository root, from `src/modules/pages` as from `dist/modules/pages`. */
const TEMPLATES = fileURLToPath(new URL('../../../templates/pages/', import.meta.url));

/** Autoescaping on: `<%= %>` escapes every value; the templates never use raw output for data. */
const eta = new Eta({ views: TEMPLATES, cache: true, autoEscape: true, autoTrim: false });

export const STYLESHEET_PATH = '/pages/pages.css';
export const stylesheet = readFileSync(`${TEMPLATES}pages.css`, 'utf8');
export const ICON_PATH = '/pages/icon.svg';
export const icon = readFileSync(`${TEMPLATES}icon.svg`, 'utf8');

/**
 * Pages carry secret tokens in their URL, so: nothing loads from elsewhere, nothing runs, nothing frames them,
 * forms post only here, nothing is cached and the Referer never leaves this origin (same-origin keeps Origin on
 * form posts, which `no-referrer` would turn into `null`).
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
    "base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'same-origin',
  'x-robots-tag': 'noindex, nofollow',
};

export interface PageContext {
  lang: Language;
  t: Texts;
  /** this page's own path and query without `lang`, for the language switch */
  path: string;
}

export function pageContext(request: FastifyRequest, lang: Language): PageContext {
  const url = new URL(request.url, 'http://page.invalid');
  url.searchParams.delete('lang');
  return { lang, t: TEXTS[lang], path: url.pathname + url.search };
}

export function renderPage(
  reply: FastifyReply,
  view: string,
  page: PageContext,
  data: Record<string, unknown>,
  status = 200,
): FastifyReply {
  const html = eta.render(view, { ...page, ...data, stylesheet: STYLESHEET_PATH, icon: ICON_PATH });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}

/**
 * A form token bound to one page (its secret link token included): a page elsewhere cannot know it, and a form
 * copied from one page does not work on another. Stateless, so it needs no session or cookie.
 */
export function formToken(config: Config, scope: string): string {
  return createHmac('sha256', config.secretKey).update(`page-form:${scope}`).digest('base64url');
}

/** A form post must come from this origin (Origin / Sec-Fetch-Site) and carry the page's form token. */
export function assertPageForm(request: FastifyRequest, config: Config, scope: string): void {
  assertSameSite(request, config);
  if (request.headers['sec-fetch-site'] === 'same-site') {
    throw new AppError('cross_site_request', 'Cross-site requests are refused on this page');
  }
  const sent = (request.body as { form_token?: unknown } | undefined)?.form_token;
  const expected = Buffer.from(formToken(config, scope));
  if (
    typeof sent !== 'string' ||
    sent.length !== expected.length ||
    !timingSafeEqual(Buffer.from(sent), expected)
  ) {
    throw new AppError('cross_site_request', 'The form token is missing or belongs to another page');
  }
}

/** Posts from one address: generous for a person retrying, short of a scripted guesser. */
export const PAGE_POSTS_PER_MINUTE = 30;
