import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { registerDocsOnFirstVisit } from './docs-ui.js';

/** The seed's demo routes: kept for clients' role tests, labelled so nobody builds on them. */
const DEMO_TAG = {
  name: 'rbac_demo',
  description:
    'Demo endpoints kept from the seed for clients’ tests of role checks, not part of the product. ' +
    'Removed with `RBAC_DEMO_ROUTES=false` (the default when `APP_ENV=prod`).',
};

/**
 * Lists the tags in the order routes declare them, the demo group last and described, so the docs show it apart.
 */
function orderTags<Spec extends { paths?: object }>(spec: Spec): Spec & { tags: { name: string }[] } {
  const names = new Set<string>();
  for (const path of Object.values(spec.paths ?? {}) as Record<string, { tags?: string[] }>[])
    for (const operation of Object.values(path)) for (const tag of operation.tags ?? []) names.add(tag);
  const tags = [...names].filter((name) => name !== DEMO_TAG.name).map((name) => ({ name }));
  return { ...spec, tags: names.has(DEMO_TAG.name) ? [...tags, DEMO_TAG] : tags };
}

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
      // A relative server first: "Try it out" calls whatever address served the docs (127.0.0.1, a LAN IP,
      // the proxy's name), never another origin; the public address follows for generated clients.
      servers: [
        { url: '/', description: 'The address these docs were loaded from' },
        { url: publicBaseUrl, description: 'PUBLIC_BASE_URL' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
        },
      },
    },
    transformObject: (document) =>
      'openapiObject' in document ? orderTags(document.openapiObject) : document.swaggerObject,
  });
  registerDocsOnFirstVisit(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
