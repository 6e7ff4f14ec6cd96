import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * Text the database cannot hold, refused before any schema or handler sees it, for every route at once.
 *
 * PostgreSQL refuses U+0000 in `text` and in `jsonb`; a lone UTF-16 surrogate is silently replaced by U+FFFD in
 * `text` and refused in `jsonb` (the audit row's `details`). SQLite would store both, so the two dialects would
 * disagree: both refuse them here, with the field named.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UnstorableField {
  location: string;
  path: string;
  message: string;
}

function describe(text: string): string {
  return text.includes('\u0000')
    ? 'contains a NUL character (U+0000), which cannot be stored'
    : 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored';
}

/** JSON Pointer escaping (RFC 6901), so a path names the field exactly like schema errors do. */
const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every string (value or key) in `value` that cannot be stored, with its JSON Pointer path. Iterative: a body of
 * 100,000 nested arrays parses fine and must not overflow the stack here.
 */
export function findUnstorableText(value: unknown, location: string): UnstorableField[] {
  const found: UnstorableField[] = [];
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) found.push({ location, path: path || '/', message: describe(current) });
      continue;
    }
    // Bodies of other parsers (a Buffer) are bytes, not text a column will hold.
    if (current === null || typeof current !== 'object' || ArrayBuffer.isView(current)) continue;
    const entries = Array.isArray(current)
      ? current.map((child, index) => [String(index), child] as const)
      : Object.entries(current);
    for (const [key, child] of entries.reverse()) {
      const childPath = `${path}/${pointer(key)}`;
      pending.push([child, childPath]);
      if (UNSTORABLE.test(key)) found.push(keyProblem(location, childPath, key));
    }
  }
  return found;
}

function keyProblem(location: string, path: string, key: string): UnstorableField {
  return { location, path, message: `name ${describe(key)}` };
}

/**
 * Whether a flat object (path params, a query string: strings or lists of strings) may hold unstorable text,
 * without allocating: the common clean request costs a few regex tests. Anything nested answers true, so the
 * full walk below decides.
 */
function mayHoldUnstorable(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== 'object') return typeof value === 'string' && UNSTORABLE.test(value);
  for (const key in value) {
    if (UNSTORABLE.test(key)) return true;
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'string') {
      if (UNSTORABLE.test(child)) return true;
    } else if (child !== null && child !== undefined && typeof child === 'object') return true;
  }
  return false;
}

function check(request: FastifyRequest): void {
  const { body } = request;
  const bodyClean =
    body === undefined ||
    body === null ||
    (typeof body === 'string'
      ? !UNSTORABLE.test(body)
      : typeof body !== 'object' || ArrayBuffer.isView(body) || !mayHoldUnstorable(body));
  if (bodyClean && !mayHoldUnstorable(request.params) && !mayHoldUnstorable(request.query)) return;
  const found = [
    ...findUnstorableText(request.params, 'params'),
    ...findUnstorableText(request.query, 'querystring'),
    ...findUnstorableText(request.body, 'body'),
  ];
  if (found.length === 0) return;
  const detail = found.map((f) => `${f.location}${f.path === '/' ? '' : f.path}: ${f.message}`).join('; ');
  throw new AppError('validation_failed', detail, { errors: found });
}

/** One hook for the whole app (registered on the root, so every route inherits it). */
export function registerStorableTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      check(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
}
