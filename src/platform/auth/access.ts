import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import { isoNow } from '../clock.js';
import type { Actor } from '../audit.js';
import { asBool, type Executor } from '../db/database.js';
import { precompiled } from '../db/precompiled.js';
import { MEMBER_ROLES, type MemberRole } from '../db/tables.js';
import { AppError } from '../errors.js';
import type { AccessClaims, AccessTokens } from './jwt.js';
import { spendStreamTicket } from './stream-tickets.js';
import { appScope, type OrgScope } from './org-scope.js';
import { hasRole } from './roles.js';

/**
 * What a route declares about who may call it:
 * - `public`: anyone;
 * - `account`: any logged-in account, member of an org or not;
 * - a role: a member of the token's org with at least that role (owner > admin > manager > tech).
 * A route with an `:org_id` path parameter also requires that parameter to equal the token's org.
 */
export type Access = 'public' | 'account' | MemberRole;

export interface AuthContext {
  accountId: string;
  sessionId: string;
  /** the token's active org */
  orgId: string | null;
  /** the caller's role in that org, looked up now, never trusted from the token */
  role: MemberRole | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** An event-stream route: also accepts a single-use `?ticket=` instead of a bearer (stream-tickets.ts). */
    streamTicket?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
    /** Set by the access hook of org-scoped routes (`:org_id` in the path): see {@link scopeOf}. */
    orgScope: OrgScope | null;
  }
  interface FastifyInstance {
    /** Every API route with its declared access: the source of docs/permissions.md. */
    accessRules: AccessRule[];
  }
}

export interface AccessRule {
  method: string;
  url: string;
  access: Access;
}

const UNAUTHORIZED = { 'www-authenticate': 'Bearer' };

/**
 * Installs the access rules: every `/api/v1` route must declare `config.access` or the app refuses to start,
 * and the declaration becomes the route's authentication and authorisation hook and its OpenAPI security.
 */
export function registerAccessControl(app: FastifyInstance, tokens: AccessTokens): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('orgScope', null);
  app.decorate('accessRules', [] as AccessRule[]);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const access = route.config?.access;
    const methods = [route.method].flat().join(',');
    if (!access) throw new Error(`${methods} ${route.url} declares no access: add config.access`);
    const orgScoped = route.url.includes(':org_id');
    if (orgScoped && !isRole(access)) {
      throw new Error(`${methods} ${route.url} is org-scoped: its access must be a role, not "${access}"`);
    }
    document(route, access, orgScoped);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.accessRules.push({ method, url: route.url, access });
    }
    if (access === 'public') return;
    const hook = authenticate(app, tokens, access, orgScoped, route.config?.streamTicket === true);
    route.onRequest = [...[route.onRequest ?? []].flat(), hook];
  });
}

function isRole(access: Access): access is MemberRole {
  return (MEMBER_ROLES as readonly string[]).includes(access);
}

function authenticate(
  app: FastifyInstance,
  tokens: AccessTokens,
  access: Access,
  orgScoped: boolean,
  streamTicket = false,
): onRequestAsyncHookHandler {
  return async (request) => {
    const ticket = streamTicket && !request.headers.authorization ? ticketOf(request) : null;
    const claims = ticket
      ? await spendStreamTicket(app.database.db, ticket)
      : tokens.verify(bearerToken(request));
    const auth = await resolveAuth(app, claims);
    request.auth = auth;
    if (access === 'account') return;

    if (orgScoped) {
      const { org_id } = request.params as { org_id?: string };
      if (org_id !== auth.orgId) {
        throw new AppError('forbidden', 'The token is scoped to another org: switch org first');
      }
    }
    if (!auth.role) throw new AppError('forbidden', 'Not a member of this org');
    if (!hasRole(auth.role, access as MemberRole)) {
      throw new AppError('forbidden', `This action requires the ${access} role or higher`);
    }
    if (orgScoped) {
      // The path's org is the token's org and the caller a member of it: from here on it is a trusted OrgId.
      request.orgScope = appScope({
        orgId: auth.orgId!,
        accountId: auth.accountId,
        role: auth.role,
        requestId: request.id,
      });
    }
  };
}

// By the session's primary key alone (its owner is checked in code, so no planner can prefer another index);
// with the caller's membership in the token's org.
const session = precompiled((db: Executor, sessionId: string) =>
  db
    .selectFrom('auth_sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.account_id', 's.ended_at', 's.expires_at', 'a.active'])
    .where('s.id', '=', sessionId),
);
const sessionInOrg = precompiled((db: Executor, sessionId: string, orgId: string) =>
  db
    .selectFrom('auth_sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .leftJoin('org_memberships as m', (join) =>
      join.onRef('m.account_id', '=', 's.account_id').on('m.org_id', '=', orgId),
    )
    .select(['s.account_id', 's.ended_at', 's.expires_at', 'a.active', 'm.role'])
    .where('s.id', '=', sessionId),
);

const sessionEnded = () =>
  new AppError('unauthorized', 'The session has ended: log in again', {}, UNAUTHORIZED);

/**
 * The caller behind an access token: the session must be live and the account active; the role is the
 * membership's now, never the token's. Answered by the session cache when it holds this session (session-cache.ts:
 * any change to sessions, accounts or memberships empties it before the next request), else by one indexed query,
 * so a logout, a demotion or a removal applies to the very next request.
 */
async function resolveAuth(app: FastifyInstance, claims: AccessClaims): Promise<AuthContext> {
  const cache = app.sessionCache;
  const cached = cache.lookup(claims.sid, claims.org);
  if (typeof cached === 'object' && cached !== null) {
    if (cached.accountId !== claims.sub || cached.expiresAt <= Date.now()) throw sessionEnded();
    return { accountId: claims.sub, sessionId: claims.sid, orgId: claims.org, role: cached.role };
  }
  const { db } = app.database;
  const [row] = claims.org ? await sessionInOrg(db, claims.sid, claims.org) : await session(db, claims.sid);
  if (
    !row ||
    row.account_id !== claims.sub ||
    row.ended_at !== null ||
    row.expires_at <= isoNow() ||
    !asBool(row.active)
  ) {
    throw sessionEnded();
  }
  const role = 'role' in row ? ((row.role as MemberRole | null) ?? null) : null;
  // A caller who is not a member of the token's org is not kept: a membership added later must count at once.
  if (role !== null || !claims.org) {
    const expiresAt = Date.parse(row.expires_at);
    cache.store(cached, claims.sid, claims.org, {
      accountId: row.account_id,
      expiresAt,
      role,
      storedAt: Date.now(),
    });
  }
  return { accountId: claims.sub, sessionId: claims.sid, orgId: claims.org, role };
}

/** For public routes that behave better with a caller (accepting an invitation): null without a bearer. */
export async function optionalAuth(request: FastifyRequest): Promise<AuthContext | null> {
  if (!request.headers.authorization) return null;
  const app = request.server;
  request.auth = await resolveAuth(app, app.tokens.verify(bearerToken(request)));
  return request.auth;
}

function ticketOf(request: FastifyRequest): string | null {
  const { ticket } = request.query as { ticket?: unknown };
  return typeof ticket === 'string' && ticket !== '' ? ticket : null;
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new AppError('unauthorized', 'Missing bearer token', {}, UNAUTHORIZED);
  return match[1]!;
}

/** Schemas already documented: Fastify's automatic HEAD route shares its GET's schema object. */
const documented = new WeakSet<object>();

function document(route: RouteOptions, access: Access, orgScoped: boolean): void {
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  if (documented.has(schema)) return;
  documented.add(schema);
  const rule =
    access === 'public'
      ? 'Public.'
      : access === 'account'
        ? 'Requires a logged-in account.'
        : `Requires role ≥ **${access}**${orgScoped ? ' in the org of the path, which must be the token’s org' : ' in the token’s org'}.`;
  schema.description = [schema.description, rule].filter(Boolean).join('\n\n');
  if (access !== 'public') schema.security = [{ bearerAuth: [] }];
}

/** The caller, for routes that declared a non-public access (the hook guarantees it is there). */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('unauthorized', 'Not authenticated', {}, UNAUTHORIZED);
  return request.auth;
}

/** The org scope of an org-scoped route (`/orgs/:org_id/…`), built by its access hook. */
export function scopeOf(request: FastifyRequest): OrgScope {
  if (!request.orgScope)
    throw new Error(`${request.url} has no org scope: is it registered under /orgs/:org_id?`);
  return request.orgScope;
}

/** Who acts outside any org (login, reset, creating an org): the account, if any, and the request. */
export function actorOf(request: FastifyRequest): Actor {
  return { accountId: request.auth?.accountId ?? null, requestId: request.id };
}
