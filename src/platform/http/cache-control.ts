import type { FastifyInstance } from 'fastify';

/** Static, public and the same for everyone: the API's description and its documentation page. */
const CACHEABLE = ['/docs', '/openapi.json'];

/**
 * `Cache-Control: no-store` on every answer that may carry a token, a person's data or a state that changes
 * (the API, its errors, the health checks: a cached "ready" would be a lie), unless the route chose its own
 * (pages, which also set no-store). Only the API's description and /docs are left to ordinary caching.
 */
export function registerCacheControl(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control') && !cacheable(request.url))
      reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

function cacheable(url: string): boolean {
  // Only the two public prefixes need the path cut out of the URL (no allocation on every other answer).
  if (!url.startsWith('/docs') && !url.startsWith('/openapi.json')) return false;
  const path = url.split('?')[0] ?? '/';
  return CACHEABLE.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
