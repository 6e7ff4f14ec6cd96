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

/** Bindings indexed once per org, then resolved per engagement without scanning them all. */
export class RateResolver {
  // one map per target, keyed without building strings: an export resolves tens of thousands of lines
  private readonly missionUser = new Map<string, Map<string, string>>();
  private readonly mission = new Map<string, string>();
  private readonly roleUser = new Map<string, Map<string, string>>();
  private readonly role = new Map<string, string>();
  private readonly user = new Map<string, string>();

  constructor(bindings: readonly Binding[]) {
    // When two bindings share a target, the first one listed wins (the caller lists oldest first).
    const once = <K>(map: Map<K, string>, key: K, profileId: string) => {
      if (!map.has(key)) map.set(key, profileId);
    };
    const nested = (map: Map<string, Map<string, string>>, key: string) => {
      let inner = map.get(key);
      if (!inner) map.set(key, (inner = new Map()));
      return inner;
    };
    for (const b of bindings) {
      switch (targetOf(b)) {
        case 'mission_user':
          once(nested(this.missionUser, b.mission_id!), b.user_id!, b.profile_id);
          break;
        case 'mission':
          once(this.mission, b.mission_id!, b.profile_id);
          break;
        case 'role_user':
          once(nested(this.roleUser, b.role_name!), b.user_id!, b.profile_id);
          break;
        case 'role':
          once(this.role, b.role_name!, b.profile_id);
          break;
        case 'user':
          once(this.user, b.user_id!, b.profile_id);
          break;
      }
    }
  }

  /** Most specific first: mission + person, mission, role name + person, role name, person. */
  resolve(e: Engagement): string | null {
    return (
      this.missionUser.get(e.mission_id)?.get(e.user_id) ??
      this.mission.get(e.mission_id) ??
      this.roleUser.get(e.role_name)?.get(e.user_id) ??
      this.role.get(e.role_name) ??
      this.user.get(e.user_id) ??
      null
    );
  }
}
