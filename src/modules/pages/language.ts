import type { FastifyRequest } from 'fastify';
import { defaultLanguage, LANGUAGES, type Language } from '../../platform/human-time.js';

const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** The first of fr/en that the browser prefers, by quality; null when it names neither. */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { base: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.base).find(isLanguage) ?? null;
}

export interface OrgLanguageHints {
  /** the org's `language` setting, once orgs carry one */
  language?: string | null;
  timezone: string;
}

/**
 * The one choice of a page's language: an explicit `?lang=` (the page's own switch) wins, then the org's
 * setting (the language its messages were written in), then the browser's preference, then the org's time
 * zone (French for France), then English.
 */
export function pageLanguage(request: FastifyRequest, org: OrgLanguageHints | null): Language {
  const { lang } = (request.query ?? {}) as { lang?: unknown };
  if (isLanguage(lang)) return lang;
  if (org && isLanguage(org.language)) return org.language;
  const browser = fromAcceptLanguage(request.headers['accept-language']);
  if (browser) return browser;
  return org ? defaultLanguage(org.timezone) : 'en';
}
