import { Type, type TSchema } from '@fastify/type-provider-typebox';

/** RFC 9457 problem document, as every error leaves the API. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    request_id: Type.String(),
  },
  { additionalProperties: true, description: 'application/problem+json' },
);

/** `{items, next_cursor}`: every list in the API has this shape. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page' })),
};

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-06-01T18:00:00.000Z'] });

/** A string enum, documented as `enum` in OpenAPI and typed as the union of its values. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Path parameters of every route directly under `/api/v1/orgs/:org_id`. */
export const OrgParams = Type.Object({ org_id: Uuid });

/** For POST actions whose body is optional (`/decline`, `/cancel`): no body validates as `{}`. */
export async function defaultEmptyBody(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}

/** The problem answers an authenticated route can give: bad input, no login, no right, nothing there, a rule. */
export const ProblemResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  /** The database is unreachable, too slow or not migrated (docs/reliability.md): retry after `Retry-After`. */
  503: ProblemSchema,
};
