import { DATE_RULE, INSTANT_RULE } from './instants.js';

/** One schema error as AJV reports it. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message?: string;
  params: Record<string, unknown>;
}

export interface FieldError {
  location: string;
  path: string;
  message: string;
}

const FORMATS: Record<string, string> = {
  'date-time': INSTANT_RULE,
  date: DATE_RULE,
  uuid: 'must be a UUID',
  email: 'must be an email address',
  uri: 'must be an absolute URI',
};

function describe(error: SchemaError): string {
  const { keyword, params } = error;
  if (keyword === 'additionalProperties') return `unknown field "${String(params.additionalProperty)}"`;
  if (keyword === 'required') return `"${String(params.missingProperty)}" is required`;
  if (keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return `must be one of ${allowed}`;
  }
  if (keyword === 'const') return `must be ${JSON.stringify(params.allowedValue)}`;
  if (keyword === 'format')
    return FORMATS[String(params.format)] ?? `must be a valid ${String(params.format)}`;
  return error.message ?? 'is invalid';
}

const isNullBranch = (e: SchemaError) => e.keyword === 'type' && e.params.type === 'null';

/**
 * Schema errors in words, one per failing field: the branches of an `anyOf` (how a nullable field is declared)
 * become one message ("must be a UUID, or null") instead of three ("must be string", "must be null", "must match
 * a schema in anyOf").
 */
export function describeValidationErrors(errors: readonly SchemaError[], location: string): FieldError[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const insideUnion = (e: SchemaError) =>
    unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const described: FieldError[] = [];
  for (const error of errors) {
    if (insideUnion(error)) continue;
    const path = error.instancePath || '/';
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      described.push({ location, path, message: describe(error) });
      continue;
    }
    const branches = errors.filter((e) => e.schemaPath.startsWith(`${error.schemaPath}/`));
    const reasons = [...new Set(branches.filter((e) => !isNullBranch(e)).map(describe))];
    const nullable = branches.some(isNullBranch);
    const message =
      reasons.length === 0
        ? (error.message ?? 'is invalid')
        : `${reasons.join('; or ')}${nullable ? ', or null' : ''}`;
    described.push({ location, path, message });
  }
  return described;
}
