import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/api/v1/auth';

export function setRefreshCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    secure: config.appEnv === 'prod',
    maxAge: config.refreshTokenDays * 24 * 3600,
  });
}

export function clearRefreshCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    secure: config.appEnv === 'prod',
  });
}

/**
 * Cookie-authenticated endpoints refuse cross-site requests: a browser always sends Origin on a cross-site POST,
 * and Sec-Fetch-Site when it knows. Requests without Origin (curl, servers) carry no ambient cookie risk.
 */
export function assertSameSite(request: FastifyRequest, config: Config): void {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new AppError('cross_site_request', 'Cross-site requests are refused on this endpoint');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const allowed = new Set([...config.corsAllowOrigins, new URL(config.publicBaseUrl).origin]);
  if (!allowed.has(origin)) {
    throw new AppError('cross_site_request', `Origin ${origin} is not allowed on this endpoint`);
  }
}
