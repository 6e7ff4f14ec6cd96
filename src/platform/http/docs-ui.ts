import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Swagger UI at `/docs`, set up on the first visit instead of at boot: @fastify/swagger-ui walks its static files
 * and registers a route for each, about a fifth of a cold start, for a page most instances never serve. The UI
 * lives in a small Fastify instance of its own, built once, that reads the spec from this app; `/docs` and
 * `/docs/*` here hand it each request (in memory, `inject`) and send its answer back with this app's headers.
 */
export function registerDocsOnFirstVisit(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined;
  const load = () =>
    (docs ??= (async () => {
      const [{ default: Fastify }, { default: swaggerUi }] = await Promise.all([
        import('fastify'),
        import('@fastify/swagger-ui'),
      ]);
      const inner = Fastify({ logger: false });
      // The UI asks for its spec through `swagger()`; it comes from the app, where the routes are.
      await inner.register(
        fp(
          async (ui) => {
            ui.decorate('swagger', ((options?: { yaml?: boolean }) =>
              app.swagger(options as never)) as FastifyInstance['swagger']);
          },
          { name: '@fastify/swagger' },
        ),
      );
      await inner.register(swaggerUi, { routePrefix: '/docs' });
      await inner.ready();
      return inner;
    })().catch((error: unknown) => {
      docs = undefined; // a failed setup is retried by the next visit
      throw error;
    }));

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const inner = await load();
    const answer = await inner.inject({
      method: request.method as 'GET' | 'HEAD',
      url: request.url,
      headers: request.headers,
    });
    const { 'content-length': _length, connection: _connection, ...headers } = answer.headers;
    return reply.code(answer.statusCode).headers(headers).send(answer.rawPayload);
  };
  app.get('/docs', { schema: { hide: true } }, forward);
  app.get('/docs/*', { schema: { hide: true } }, forward);
}
