import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerAccessControl } from '../../src/platform/auth/access.js';
import { accessTokens } from '../../src/platform/auth/jwt.js';
import {
  GENERATED_END,
  GENERATED_START,
  renderPermissionMatrix,
} from '../../src/platform/auth/permissions-doc.js';
import { testConfig, useTestApp } from '../helpers/app.js';

describe('declared permissions', () => {
  const ctx = useTestApp('sqlite');

  it('docs/permissions.md shows exactly what the routes declare (run npm run docs:permissions)', () => {
    const document = readFileSync('docs/permissions.md', 'utf8');
    const generated = document.slice(
      document.indexOf(GENERATED_START),
      document.indexOf(GENERATED_END) + GENERATED_END.length,
    );
    expect(generated).toBe(renderPermissionMatrix(ctx.app.accessRules));
  });

  it('every org-scoped route requires a role, and /docs shows it', async () => {
    const orgRoutes = ctx.app.accessRules.filter((r) => r.url.startsWith('/api/v1/orgs/:org_id'));
    expect(orgRoutes.length).toBeGreaterThan(10);
    for (const rule of orgRoutes) expect(['tech', 'manager', 'admin', 'owner']).toContain(rule.access);
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const members = spec.paths['/api/v1/orgs/{org_id}/members'].get;
    expect(members.description).toMatch(/Requires role ≥ \*\*manager\*\*/);
    expect(members.security).toEqual([{ bearerAuth: [] }]);
  });

  it('every route in /openapi.json has a summary, tags and a response schema', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, operations] of Object.entries<
      Record<string, { summary?: string; tags?: string[]; responses?: object }>
    >(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        expect(operation.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });

  it('every JSON request body in /openapi.json has an example', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const hasExample = (schema: Record<string, unknown> | undefined): boolean =>
      !!schema &&
      (schema.examples !== undefined ||
        Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>).some(
          (p) => p.examples !== undefined,
        ) ||
        ((schema.anyOf ?? []) as Record<string, unknown>[]).some(hasExample));
    const missing: string[] = [];
    for (const [path, operations] of Object.entries<
      Record<
        string,
        {
          requestBody?: {
            content?: Record<
              string,
              { example?: unknown; examples?: unknown; schema?: Record<string, unknown> }
            >;
          };
        }
      >
    >(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const body = operation.requestBody?.content?.['application/json'];
        if (body && body.example === undefined && body.examples === undefined && !hasExample(body.schema))
          missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the app refuses to start when an API route declares no access, or an org route declares less than a role', async () => {
    const build = async (access?: 'account') => {
      const app = Fastify();
      app.decorate('database', {} as never);
      registerAccessControl(app, accessTokens(testConfig()));
      app.get('/api/v1/orgs/:org_id/things', access ? { config: { access } } : {}, async () => ({}));
      await app.ready();
    };
    await expect(build()).rejects.toThrow(
      'GET /api/v1/orgs/:org_id/things declares no access: add config.access',
    );
    await expect(build('account')).rejects.toThrow(/is org-scoped: its access must be a role/);
  });
});
