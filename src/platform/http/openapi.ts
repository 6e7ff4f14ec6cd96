import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** `/openapi.json` (OpenAPI 3.1, generated from the route schemas) and Swagger UI at `/docs`. */
export async function registerOpenApi(app: FastifyInstance, publicBaseUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coulisses Crew API',
        version: '1.0.0',
        description:
          'Crew planning for live entertainment. Errors are RFC 9457 `application/problem+json` with a stable ' +
          '`code`. Lists answer `{items, next_cursor}`. Org-owned routes live under `/api/v1/orgs/{org_id}` and ' +
          'state the minimum role they require.',
      },
      servers: [{ url: publicBaseUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
