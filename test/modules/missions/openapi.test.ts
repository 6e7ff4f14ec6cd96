import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';

const ROUTES: [string, string, number][] = [
  ['post', '/api/v1/orgs/{org_id}/projects', 201],
  ['get', '/api/v1/orgs/{org_id}/projects', 200],
  ['get', '/api/v1/orgs/{org_id}/projects/{project_id}', 200],
  ['patch', '/api/v1/orgs/{org_id}/projects/{project_id}', 200],
  ['delete', '/api/v1/orgs/{org_id}/projects/{project_id}', 204],
  ['post', '/api/v1/orgs/{org_id}/projects/{project_id}/missions', 201],
  ['post', '/api/v1/orgs/{org_id}/projects/{project_id}/missions/bulk', 201],
  ['get', '/api/v1/orgs/{org_id}/missions', 200],
  ['get', '/api/v1/orgs/{org_id}/missions/{mission_id}', 200],
  ['patch', '/api/v1/orgs/{org_id}/missions/{mission_id}', 200],
  ['delete', '/api/v1/orgs/{org_id}/missions/{mission_id}', 204],
  ['post', '/api/v1/orgs/{org_id}/missions/{mission_id}/duplicate', 201],
  ['post', '/api/v1/orgs/{org_id}/missions/{mission_id}/publish', 200],
  ['post', '/api/v1/orgs/{org_id}/missions/{mission_id}/roles', 201],
  ['patch', '/api/v1/orgs/{org_id}/missions/{mission_id}/roles/{role_id}', 200],
  ['delete', '/api/v1/orgs/{org_id}/missions/{mission_id}/roles/{role_id}', 204],
];

describe.each(DIALECTS)('projects and missions in /openapi.json (%s)', (dialect) => {
  const ctx = useTestApp(dialect);

  it('documents every route with tags, summary, security, success and problem responses', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const { paths } = res.json();
    for (const [method, path, success] of ROUTES) {
      const op = paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags.length).toBeGreaterThan(0);
      expect(op.summary).toEqual(expect.any(String));
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(op.description).toMatch(/Requires role ≥/);
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining([String(success), '400', '401', '403']),
      );
      expect(op.responses['403'].content['application/json'].schema.properties.code).toBeDefined();
      for (const param of op.parameters.filter((p: { in: string }) => p.in === 'path')) {
        expect(param.schema.format, `${path} ${param.name}`).toBe('uuid');
      }
      const body = op.requestBody?.content['application/json'];
      if (body) expect(body.schema.additionalProperties, `${method} ${path}`).toBe(false);
    }
  });
});
