import fc from 'fast-check';

/** The JSON Schema subset that /openapi.json uses (TypeBox output). */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  examples?: unknown[];
}

/**
 * Text the database or the code could choke on: NUL and lone surrogates, dates that do not exist, leap seconds,
 * years that leave the range once the offset applies, huge strings, SQL and JSON punctuation.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'a\u0000b',
      '\u0000',
      'x\uD800',
      '\uDC00y',
      '\uDBFF\uDBFF',
      '2027-02-30T10:00:00Z',
      '2026-12-31T23:59:60Z',
      '2026-06-30T23:59:60+00:00',
      '9999-12-31T23:00:00-14:00',
      '0000-01-01T00:00:00Z',
      '1899-12-31T23:59:59Z',
      '+010000-01-01T00:00:00Z',
      '2027-02-30',
      '0000-01-01',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('\u0000', '\uD800', '\uDFFF'),
        fc.string({ maxLength: 10 }),
      )
      .map((parts) => parts.join('')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "x'; DROP TABLE users; --",
      '%00',
      '{"a":',
      '',
      ' ',
      '-1',
      '1e309',
      'NaN',
      '24:00',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'é'.repeat(n)) },
);

/** Values of the wrong JSON type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53, -(2 ** 63), 1.5, [], {}, [null], { a: 1 }),
  fc.double(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);

const instant = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

export interface Known {
  /** Real ids by parameter or field name (`project_id`, `user_id`, …) so requests get past the lookups. */
  ids: Record<string, string>;
}

function idFor(name: string, known: Known): fc.Arbitrary<string> {
  const real = known.ids[name];
  return real ? fc.oneof({ weight: 8, arbitrary: fc.constant(real) }, fc.uuid()) : fc.uuid();
}

function typedString(schema: JsonSchema, name: string, known: Known): fc.Arbitrary<string> {
  const examples = (schema.examples ?? []).filter((e): e is string => typeof e === 'string');
  const fromExamples = examples.length > 0 ? [fc.constantFrom(...examples)] : [];
  switch (schema.format) {
    case 'date-time':
      return fc.oneof(instant, ...fromExamples);
    case 'uuid':
      return idFor(name, known);
    case 'date':
      return fc.oneof(
        instant.map((s) => s.slice(0, 10)),
        ...fromExamples,
      );
    case 'email':
      return fc.oneof(fc.emailAddress(), ...fromExamples);
    default: {
      // a pattern is generated, never filtered for: anchored patterns would almost never be hit by chance
      const text =
        schema.pattern === undefined
          ? fc.string({
              minLength: Math.max(1, schema.minLength ?? 0),
              maxLength: Math.min(schema.maxLength ?? 40, 40),
            })
          : fc
              .stringMatching(new RegExp(schema.pattern))
              .filter((t) => t.length <= (schema.maxLength ?? 1e6));
      return fromExamples.length > 0 ? fc.oneof(text, fromExamples[0]!, fromExamples[0]!) : text;
    }
  }
}

const hostile = fc.oneof({ weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: wrongType });

/** A value for `schema`: mostly of the declared shape (so requests reach the handlers), sometimes hostile. */
export function valueFor(schema: JsonSchema, name: string, known: Known, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: shaped(schema, name, known, depth) },
    { weight: 1, arbitrary: hostile },
  );
}

/** Every path to a leaf (or a member) of a JSON value. */
function pathsIn(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((k) => pathsIn((value as Record<string | number, unknown>)[k], [...prefix, k])),
  ];
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | null)?.[k], value);
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

/**
 * A body of the declared shape where, most of the time, exactly one member is hostile: what a schema lets
 * through is what reaches the database, so the rest of the body must be valid for the probe to get there.
 */
export function bodyFor(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  return fc
    .tuple(shaped(schema, 'body', known, 0, true), fc.option(fc.tuple(fc.nat(), hostile), { freq: 3 }))
    .map(([body, mutation]) => {
      if (mutation === null) return body;
      const [pick, value] = mutation;
      const members = pathsIn(body).filter((p) => p.length > 0);
      // hostile text goes where text is expected, so that it reaches the database rather than a type check
      const texts = members.filter((p) => typeof valueAt(body, p) === 'string');
      const targets = typeof value === 'string' && texts.length > 0 ? texts : members;
      if (targets.length === 0) return value;
      return replaceAt(body, targets[pick % targets.length]!, value);
    });
}

/** A value of the declared shape; `clean` keeps hostile values out of its members too. */
function shaped(
  schema: JsonSchema,
  name: string,
  known: Known,
  depth: number,
  clean = false,
): fc.Arbitrary<unknown> {
  const member = (child: JsonSchema, key: string) =>
    clean ? shaped(child, key, known, depth + 1, true) : valueFor(child, key, known, depth + 1);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0)
    return fc.oneof(...branches.map((b) => shaped(b, name, known, depth, clean)));
  if (schema.allOf && schema.allOf.length > 0) return shaped(schema.allOf[0]!, name, known, depth, clean);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return typedString(schema, name, known);
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 }),
        fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER),
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true }), fc.integer());
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(member(schema.items ?? {}, name), { maxLength: 3 });
    case 'object':
    default: {
      if (depth > 3 || !schema.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), hostileText, { maxKeys: 2 });
      const entries = Object.entries(schema.properties).map(
        ([key, child]) => [key, member(child, key)] as const,
      );
      const required = schema.required ?? [];
      return fc.record(Object.fromEntries(entries), {
        requiredKeys: required.filter((key) => key in schema.properties!),
      });
    }
  }
}

/** A path segment: usually a real id, sometimes hostile (too long, NUL, not an id at all). */
export function pathParamFor(name: string, known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: idFor(name, known) },
    { weight: 2, arbitrary: hostileText.filter((s) => s.length > 0 && s.length <= 100) },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 2_000 }).map((n) => 'a'.repeat(n)) },
  );
}

/** Percent-encoding that survives lone surrogates (encodeURIComponent throws on them). */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((ch) => {
        try {
          return encodeURIComponent(ch);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

/** A query-string value as a client would send it: text, repeated keys for arrays, JSON for the rest. */
export function queryPairs(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => queryPairs(name, v));
  const text = typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value);
  return [`${encode(name)}=${encode(text)}`];
}
