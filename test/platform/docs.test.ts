import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

interface Operation {
  tags?: string[];
  description?: string;
}
type Spec = {
  servers: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
};

/** What Swagger UI does with a server url: resolve it against the spec's own URL, drop a trailing slash. */
const baseUrlSeenByTheBrowser = (serverUrl: string, specUrl: string) =>
  new URL(serverUrl, specUrl).toString().replace(/\/$/, '');

describe.each(DIALECTS)('/docs and /openapi.json on %s', (dialect) => {
  const ctx = useTestApp(dialect, { PUBLIC_BASE_URL: 'https://crew.example.com' });

  it('"Try it out" calls the address the docs were loaded from, whatever PUBLIC_BASE_URL says', async () => {
    const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const docs = await fetch(`${address}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    // the spec Swagger UI loads, from where it loads it
    const specUrl = `${address}/docs/json`;
    const spec = (await (await fetch(specUrl)).json()) as Spec;
    expect(spec.servers).toEqual([
      { url: '/', description: expect.any(String) },
      { url: 'https://crew.example.com', description: 'PUBLIC_BASE_URL' },
    ]);
    const base = baseUrlSeenByTheBrowser(spec.servers[0]!.url, specUrl);
    expect(base).toBe(address);
    const org = await createOrgFixture(ctx.app);
    const tried = await fetch(`${base}/api/v1/orgs/${org.orgId}`, { headers: org.owner.headers });
    expect(tried.status).toBe(200);
    expect(await tried.json()).toMatchObject({ id: org.orgId });
    // /openapi.json is the same document
    const published = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec;
    expect(published.servers).toEqual(spec.servers);
  });

  it('states each route’s access rule once, GET routes included (their HEAD twin shares the schema)', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec;
    const rule = /Requires (role ≥|a logged-in account)|^Public\.$|\n\nPublic\.$/gm;
    let gets = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!path.startsWith('/api/')) continue;
        if (method === 'get') gets++;
        const description = operation.description ?? '';
        expect(description.match(rule), `${method} ${path}: ${description}`).toHaveLength(1);
      }
    }
    expect(gets).toBeGreaterThan(10);
  });

  it('shows the rbac_demo routes as one described group, listed last', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec;
    const demo = Object.entries(spec.paths).filter(([path]) => path.startsWith('/api/v1/rbac_demo/'));
    expect(demo.map(([path]) => path).sort()).toEqual([
      '/api/v1/rbac_demo/admin',
      '/api/v1/rbac_demo/any',
      '/api/v1/rbac_demo/manager',
      '/api/v1/rbac_demo/owner',
      '/api/v1/rbac_demo/scoped/{org_id}',
    ]);
    for (const [, methods] of demo) expect(methods.get?.tags).toEqual(['rbac_demo']);
    expect(spec.tags.at(-1)).toEqual({
      name: 'rbac_demo',
      description: expect.stringContaining('RBAC_DEMO_ROUTES=false'),
    });
    expect(spec.tags.map((t) => t.name)).toEqual(expect.arrayContaining(['missions', 'staffing']));
  });
});

describe.each(DIALECTS)('RBAC_DEMO_ROUTES=false on %s', (dialect) => {
  const ctx = useTestApp(dialect, { RBAC_DEMO_ROUTES: 'false' });

  it('removes the demo routes from the API and from its description', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/rbac_demo/any',
      headers: org.owner.headers,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, code: 'not_found' });
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec;
    expect(Object.keys(spec.paths).filter((p) => p.includes('rbac_demo'))).toEqual([]);
    expect(spec.tags.map((t) => t.name)).not.toContain('rbac_demo');
  });
});
