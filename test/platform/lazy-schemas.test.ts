import { describe, expect, it } from 'vitest';
import { warmUpSchemas } from '../../src/platform/http/lazy-schemas.js';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';

// Route schemas compile on first use; the server warms the rest up after listen (src/server.ts).
describe.each(DIALECTS)('schemas compiled on first use, on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('validates and serialises before and after the warm-up, which compiles every schema once', async () => {
    const org = await createOrgFixture(ctx.app);
    const bad = () =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.orgId}/projects`,
        headers: org.manager.headers,
        payload: { name: 42 },
      });
    const first = await bad();
    expect(first.statusCode).toBe(400);
    expect(first.json()).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({})] });

    const compiled = await warmUpSchemas(ctx.app);
    expect(compiled).toBeGreaterThan(100);
    expect(await warmUpSchemas(ctx.app)).toBe(0);

    const again = await bad();
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ ...first.json(), request_id: again.json().request_id });
    const good = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.orgId}/projects`,
      headers: org.manager.headers,
      payload: { name: 'Warm' },
    });
    expect(good.statusCode).toBe(201);
    expect(good.json()).toMatchObject({ name: 'Warm', status: 'DRAFT' });
  });
});
