import { Ajv, type Options } from 'ajv';
import * as formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { canonicalInstant, isStorableDate, parseInstant } from './instants.js';

// ajv-formats is CommonJS: its plugin arrives wrapped under ESM.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((formats as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin }).default
  .default ?? (formats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin;

const BASE: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * Bodies are JSON and validate strictly: no type coercion, so `null` stays null and `"5"` is not a number.
 * Query strings and path parameters are text and are coerced (`?limit=5`, `?active=true`, `?skill=a&skill=b`).
 */
export function registerValidation(app: FastifyInstance): void {
  const strict = withStorableDates(addFormats(new Ajv({ ...BASE, coerceTypes: false })));
  const coercing = withStorableDates(addFormats(new Ajv({ ...BASE, coerceTypes: 'array' })));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(canonicaliseInstants(schema)),
  );
}

const CANONICAL = 'x-canonical-instant';

/**
 * `date-time` and `date` as the database can hold them (see instants.ts), and a keyword that rewrites every
 * accepted date-time to its stored form: the one place where instants enter, so services and SQL only ever see
 * `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */
function withStorableDates(ajv: Ajv): Ajv {
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => parseInstant(value) !== null });
  ajv.addFormat('date', { type: 'string', validate: isStorableDate });
  ajv.addKeyword({
    keyword: CANONICAL,
    modifying: true,
    schemaType: 'boolean',
    errors: false,
    validate: (_enabled: boolean, data: unknown, _schema?: unknown, where?: DataCxt) => {
      const canonical = typeof data === 'string' ? canonicalInstant(data) : null;
      if (canonical !== null && where?.parentData !== undefined) {
        (where.parentData as Record<string | number, unknown>)[where.parentDataProperty] = canonical;
      }
      return true;
    },
  });
  return ajv;
}

interface DataCxt {
  parentData: unknown;
  parentDataProperty: string | number;
}

/** A copy of the schema where every `format: date-time` also carries the canonicalising keyword. */
function canonicaliseInstants<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(canonicaliseInstants) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = canonicaliseInstants(value);
  if (copy.format === 'date-time') copy[CANONICAL] = true;
  return copy as T;
}
