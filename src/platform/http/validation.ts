import { Ajv, type Options } from 'ajv';
import * as formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

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
  const strict = addFormats(new Ajv({ ...BASE, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...BASE, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
}
