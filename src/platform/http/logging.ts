import type { FastifyRequest } from 'fastify';

// Paths that carry a secret token: it must never reach a log line.
const TOKEN_IN_PATH = /(\/(?:invitations|org-invitations|calendar)\/)[^/?]+/g;
// The unsubscribe link's token follows the roster profile's id: `/notifications/unsubscribe/:user_id/:token`.
const UNSUBSCRIBE_TOKEN = /(\/notifications\/unsubscribe\/[^/?]+\/)[^/?]+/g;

export function redactUrl(url: string): string {
  return url
    .replace(TOKEN_IN_PATH, '$1[redacted]')
    .replace(UNSUBSCRIBE_TOKEN, '$1[redacted]')
    .replace(/([?&](?:token|cursor|ticket)=)[^&]*/g, '$1[redacted]');
}

export const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: redactUrl(request.url),
  remoteAddress: request.ip,
});
