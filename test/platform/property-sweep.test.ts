import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';
import { createOrgFixture } from '../helpers/factories.js';
import {
  bodyFor,
  pathParamFor,
  queryPairs,
  valueFor,
  type JsonSchema,
  type Known,
} from '../helpers/openapi-arbitraries.js';
import { staffingKit } from '../modules/assignments/fixtures.js';

/**
 * A property-based sweep generated from /openapi.json: every operation, with path parameters, query strings and
 * bodies drawn from its own schemas, mixed with what broke the service before (NUL, lone surrogates, leap
 * seconds, impossible dates, years out of range, huge strings, wrong types, path segments over 100 characters,
 * malformed JSON, wrong content types). Whatever the input, no answer is a 5xx.
 *
 * Reproducible: the seed is fixed (SWEEP_SEED overrides it, SWEEP_RUNS the number of requests) and printed with
 * any failure; SWEEP_VERBOSE=1 prints how many answers of each status the sweep got.
 */
const SEED = Number(process.env.SWEEP_SEED ?? 20261201);
const RUNS = Number(process.env.SWEEP_RUNS ?? 1500);

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema }[];
  body: JsonSchema | null;
}

interface Parameter {
  in: string;
  name: string;
  schema: JsonSchema;
}

/**
 * Ending the sweep's own session would turn the rest of it into 401s; an event stream never ends by itself (its
 * bad input is covered in test/modules/live/stream.test.ts).
 */
const SKIPPED = new Set([
  'POST /api/v1/auth/logout',
  'GET /api/v1/orgs/{org_id}/events',
  'GET /api/v1/me/events',
]);

function operationsOf(spec: {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: unknown }>>;
}): Operation[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => !SKIPPED.has(`${method.toUpperCase()} ${path}`))
      .map(([method, op]) => {
        const parameters = op.parameters ?? [];
        const body = op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined;
        return {
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
          body: body?.content?.['application/json']?.schema ?? null,
        };
      }),
  );
}

type BodyMode = 'json' | 'none' | 'empty-json' | 'malformed' | 'text';

const ODD_BODIES: BodyMode[] = ['empty-json', 'malformed', 'text'];
const JSON_MOSTLY: BodyMode[] = ['json', 'json', 'json', 'json', ...ODD_BODIES];
const NONE_MOSTLY: BodyMode[] = ['none', 'none', ...ODD_BODIES];

type SweepRequest = {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  mode: BodyMode;
};

function requestFor(op: Operation, known: Known): fc.Arbitrary<SweepRequest> {
  return fc.record({
    params: fc.record(Object.fromEntries(op.pathParams.map((name) => [name, pathParamFor(name, known)]))),
    query: fc.record(
      Object.fromEntries(op.query.map(({ name, schema }) => [name, valueFor(schema, name, known)])),
      { requiredKeys: [] },
    ),
    body: op.body ? bodyFor(op.body, known) : fc.constant(undefined),
    mode: fc.constantFrom<BodyMode>(...(op.body ? JSON_MOSTLY : NONE_MOSTLY)),
  });
}

describe.each(DIALECTS)('property-based sweep from /openapi.json on %s', (dialect) => {
  const ctx = useTestApp(dialect, {
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
  });

  it(`no operation answers 5xx, whatever the input (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const mission = await kit.mission(8, 12);
    const userId = await kit.user({ accountId: org.tech.accountId });
    const assignment = await kit.invite(org.manager.headers, mission.missionId, {
      user_id: userId,
      role_id: mission.roleId,
    });
    const projectId = (
      await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${org.orgId}/missions/${mission.missionId}`,
        headers: org.owner.headers,
      })
    ).json().project_id as string;
    const known: Known = {
      ids: {
        org_id: org.orgId,
        project_id: projectId,
        mission_id: mission.missionId,
        role_id: mission.roleId,
        user_id: userId,
        assignment_id: assignment.json().id,
        account_id: org.manager.accountId,
        entity_id: mission.missionId,
      },
    };
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = operationsOf(spec);
    expect(operations.length).toBeGreaterThan(50);

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const probe = (op: Operation) => async (request: SweepRequest) => {
      const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeSegment(request.params[name] ?? ''),
      );
      const query = Object.entries(request.query).flatMap(([name, value]) => queryPairs(name, value));
      const payload =
        request.mode === 'json'
          ? JSON.stringify(request.body)
          : request.mode === 'malformed'
            ? '{"unterminated": '
            : request.mode === 'text'
              ? 'plain text'
              : request.mode === 'empty-json'
                ? ''
                : undefined;
      const res = await ctx.app.inject({
        method: op.method as 'GET',
        url: `${url}${query.length > 0 ? `?${query.join('&')}` : ''}`,
        headers: {
          ...org.owner.headers,
          ...(request.mode === 'none'
            ? {}
            : { 'content-type': request.mode === 'text' ? 'text/plain' : 'application/json' }),
        },
        ...(payload === undefined ? {} : { payload }),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) {
        failures.push(`${op.method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        return false;
      }
      return true;
    };

    // Every operation gets its share of the runs (a random pick of operations would favour some), each with
    // its own seed derived from SEED so that one can be replayed alone.
    const perOperation = Math.max(1, Math.ceil(RUNS / operations.length));
    for (const [index, op] of operations.entries()) {
      try {
        await fc.assert(fc.asyncProperty(requestFor(op, known), probe(op)), {
          seed: SEED + index,
          numRuns: perOperation,
          endOnFailure: true,
        });
      } catch (error) {
        throw new Error(
          `5xx on ${op.method} ${op.path} (reproduce with SWEEP_SEED=${SEED} SWEEP_RUNS=${RUNS}; ` +
            `operation seed ${SEED + index}):\n${failures.join('\n')}\n${String(error)}`,
        );
      }
    }
    if (process.env.SWEEP_VERBOSE) console.warn(JSON.stringify([...statuses].sort()));
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(perOperation * operations.length);
    // the sweep got past validation into handlers, lookups and rules, not just one wall of 400s
    const reached = (predicate: (status: number) => boolean) =>
      [...statuses].filter(([status]) => predicate(status)).reduce((n, [, count]) => n + count, 0);
    expect(reached((s) => s >= 200 && s < 300)).toBeGreaterThan(RUNS / 50);
    expect(reached((s) => s === 404)).toBeGreaterThan(0);
    expect(reached((s) => s === 400)).toBeGreaterThan(RUNS / 4);
    expect(reached((s) => s === 401)).toBeLessThan(RUNS / 20);
  });
});

/** A path segment as a client sends it; what cannot be encoded is sent as an invalid escape. */
function encodeSegment(text: string): string {
  return queryPairs('x', text)[0]!.slice(2);
}
