import type { MemberRole } from '../db/tables.js';
import { hasRole } from './roles.js';

/**
 * An org's id once something trustworthy vouched for it: the access hook (path = token's org, membership looked
 * up), a signed link's row, the CLI after finding the org. Repositories of org-owned tables take this type, so a
 * bare string, or another uuid passed by mistake, does not compile.
 */
export type OrgId = string & { readonly __brand: 'OrgId' };

/** How the caller came: through the app with a token, holding a signed link, or at the operator's console. */
export type ScopeVia = 'app' | 'link' | 'cli';

/**
 * Who is calling, in which org, in which request: the first argument of every org service function.
 * - `app`: a member; `accountId` and `role` come from the session and the membership looked up now;
 * - `link`: the holder of a signed link, no account and no role, who may answer for that one assignment only;
 * - `cli`: the operator; no role is checked, `accountId` is the account the command acts for, if any.
 */
export interface OrgScope {
  orgId: OrgId;
  accountId: string | null;
  role: MemberRole | null;
  requestId: string;
  via: ScopeVia;
}

/** Brands an id. Only for the sources named on {@link OrgId}; never for an id read from a request body. */
export function trustedOrgId(id: string): OrgId {
  return id as OrgId;
}

export function appScope(input: {
  orgId: string;
  accountId: string;
  role: MemberRole | null;
  requestId: string;
}): OrgScope {
  return { ...input, orgId: trustedOrgId(input.orgId), via: 'app' };
}

/** The holder of a signed link, for the org of the link's row. */
export function linkScope(orgId: string, requestId: string): OrgScope {
  return { orgId: trustedOrgId(orgId), accountId: null, role: null, requestId, via: 'link' };
}

/** The operator at the console; `accountId` is the account the command acts for (e.g. the new owner), if any. */
export function cliScope(orgId: string, accountId: string | null, requestId = 'cli'): OrgScope {
  return { orgId: trustedOrgId(orgId), accountId, role: null, requestId, via: 'cli' };
}

/**
 * The one "a tech sees only their own" rule: a member below manager, in the app, sees and acts only for the crew
 * member linked to their account (their assignments, availability, profile) and only published missions. A link
 * holder is held to its one assignment by the link itself; the CLI is the operator.
 */
export function limitedToOwn(scope: OrgScope): boolean {
  return scope.via === 'app' && !hasRole(scope.role, 'manager');
}
