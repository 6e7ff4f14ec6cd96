import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * While the server drains (SIGTERM → `app.close()`), a request that still arrives on an open keep-alive connection
 * answers 503 `shutting_down` as problem+json with our headers, `Retry-After` and `Connection: close`, so the
 * client retries on another instance. Fastify's own closing answer (`return503OnClosing`) is turned off in
 * buildApp because it bypasses every hook and speaks another format.
 */
export function registerShutdownAnswer(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    done(
      new AppError(
        'shutting_down',
        'This instance is shutting down: retry, another instance will answer',
        {},
        { 'retry-after': '1' },
      ),
    );
  });
}
