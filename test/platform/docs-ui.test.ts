import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';

// Swagger UI is set up on the first visit (src/platform/http/docs-ui.ts): the page, its assets and its spec
// must come through exactly as if it had been registered at boot.
describe.each(DIALECTS)('Swagger UI set up on first visit, on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('serves the page, its static assets and the spec, with the app’s own headers', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.headers['x-request-id']).toBeTruthy();

    const css = await ctx.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.rawPayload.length).toBe(Number(css.headers['content-length']));
    expect(css.rawPayload.length).toBeGreaterThan(10_000);

    const spec = await ctx.app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    const openapi = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.json()).toEqual(openapi.json());
    expect((spec.json() as { openapi: string }).openapi).toBe('3.1.0');

    const missing = await ctx.app.inject({ method: 'GET', url: '/docs/static/no-such-file.js' });
    expect(missing.statusCode).toBe(404);
  });
});
