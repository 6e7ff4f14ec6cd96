import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PAGE_POSTS_PER_MINUTE } from './pages.http.js';

export interface TokenRequest {
  Params: { token: string };
}

/** Page routes stay out of /openapi.json (they are HTML for people); the token's shape is checked here. */
export const pageParams = {
  schema: {
    hide: true,
    params: {
      type: 'object',
      properties: { token: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' } },
      required: ['token'],
    },
  },
} as const;

/** A text field of a posted form, trimmed and cut to `max` characters ('' when absent). */
export function formField(request: FastifyRequest, name: string, max: number): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? [...value.trim()].slice(0, max).join('') : '';
}

/** A password field exactly as typed: never trimmed or cut (the password policy judges its length). */
export function passwordField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** The `?token=` of `/join` and `/reset-password`, when it has a token's shape. */
export function queryToken(request: FastifyRequest): string | null {
  const { token } = request.query as { token?: unknown };
  return typeof token === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(token) ? token : null;
}

/** Keeps the page's explicit language choice across a form post and its redirect. */
export function withLang(path: string, request: FastifyRequest): string {
  const { lang } = request.query as { lang?: unknown };
  if (lang !== 'fr' && lang !== 'en') return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

export async function throttlePagePost(app: FastifyInstance, request: FastifyRequest): Promise<void> {
  await app.limiter.hit(`pages:ip:${request.ip}`, { max: PAGE_POSTS_PER_MINUTE, windowSeconds: 60 });
}
