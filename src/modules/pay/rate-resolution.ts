/**
 * Which rate profile applies to one engagement, from the org's bindings. Most specific first:
 * 1. this mission, for this person; 2. this mission, for everyone on it; 3. this role name, for this person;
 * 4. this role name, for everyone; 5. the person's default. No binding: no rate (the line is unpriced).
 */
export interface Binding {
  profile_id: string;
  user_id: string | null;
  role_name: string | null;
  mission_id: string | null;
}

export interface Engagement {
  user_id: string;
  mission_id: string;
  role_name: string;
}

export type BindingTarget = 'mission_user' | 'mission' | 'role_user' | 'role' | 'user';

export function targetOf(b: Binding): BindingTarget {
  if (b.mission_id) return b.user_id ? 'mission_user' : 'mission';
  if (b.role_name) return b.user_id ? 'role_user' : 'role';
  return 'user';
}

const RANK: Record<BindingTarget, number> = { mission_user: 0, mission: 1, role_user: 2, role: 3, user: 4 };

/** Bindings indexed once per org, then resolved per engagement without scanning them all. */
export class RateResolver {
  private readonly byKey = new Map<string, string>();

  constructor(bindings: readonly Binding[]) {
    // When two bindings share a target, the first one listed wins (the caller lists oldest first).
    for (const b of bindings) {
      const key = RateResolver.key(targetOf(b), b);
      if (!this.byKey.has(key)) this.byKey.set(key, b.profile_id);
    }
  }

  private static key(target: BindingTarget, b: Partial<Binding>): string {
    switch (target) {
      case 'mission_user':
        return `mu|${b.mission_id}|${b.user_id}`;
      case 'mission':
        return `m|${b.mission_id}`;
      case 'role_user':
        return `ru|${b.role_name}|${b.user_id}`;
      case 'role':
        return `r|${b.role_name}`;
      case 'user':
        return `u|${b.user_id}`;
    }
  }

  resolve(e: Engagement): string | null {
    const candidates: [BindingTarget, Partial<Binding>][] = [
      ['mission_user', { mission_id: e.mission_id, user_id: e.user_id }],
      ['mission', { mission_id: e.mission_id }],
      ['role_user', { role_name: e.role_name, user_id: e.user_id }],
      ['role', { role_name: e.role_name }],
      ['user', { user_id: e.user_id }],
    ];
    candidates.sort((a, b) => RANK[a[0]] - RANK[b[0]]);
    for (const [target, key] of candidates) {
      const found = this.byKey.get(RateResolver.key(target, key));
      if (found) return found;
    }
    return null;
  }
}
